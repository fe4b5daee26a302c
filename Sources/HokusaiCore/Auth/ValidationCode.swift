/// The precise outcome of checking a presented key. Every rejection has its own code so that a
/// user is told what is wrong; the reference system's single "Invalid or expired" is what not to do.
public enum ValidationCode: String, Sendable, Codable, CaseIterable {
    case valid = "VALID"
    case missing = "MISSING"
    case malformed = "MALFORMED"
    case keyInQueryString = "KEY_IN_QUERY_STRING"
    case notFound = "NOT_FOUND"
    case revoked = "REVOKED"
    case expired = "EXPIRED"
    case wrongService = "WRONG_SERVICE"
    case wrongEnvironment = "WRONG_ENVIRONMENT"
    case insufficientScope = "INSUFFICIENT_SCOPE"
    case rateLimited = "RATE_LIMITED"
    case tooManyFailedAttempts = "TOO_MANY_FAILED_ATTEMPTS"
    /// A browser's session cookie names no current session (signed out, expired, or from another server).
    case sessionEnded = "SESSION_ENDED"

    /// HTTP status for a rejection with this code.
    public var httpStatus: Int {
        switch self {
        case .valid: 200
        case .missing, .malformed, .notFound, .revoked, .expired, .wrongService, .wrongEnvironment, .sessionEnded: 401
        case .keyInQueryString: 400
        case .insufficientScope: 403
        case .rateLimited, .tooManyFailedAttempts: 429
        }
    }

    /// Whether a failure with this code looks like someone trying keys, and so counts toward
    /// the per-address limit on failed attempts. A missing key or a valid key used for the wrong
    /// service or scope is a configuration mistake, not a guess.
    public var countsAsFailedAttempt: Bool {
        switch self {
        case .malformed, .notFound, .revoked, .expired: true
        default: false
        }
    }

    /// The reference system's `detail` texts, kept because clients match on them.
    public var referenceDetail: String {
        switch self {
        case .valid: "Valid API key"
        case .missing: "API key required"
        case .keyInQueryString: "API key must be sent in a header"
        case .malformed, .notFound, .revoked, .expired, .wrongService, .wrongEnvironment:
            "Invalid or expired API key"
        case .insufficientScope: "Insufficient permissions for this operation"
        case .rateLimited: "Rate limit exceeded"
        case .tooManyFailedAttempts: "Too many failed authentication attempts"
        case .sessionEnded: "Session ended; sign in again"
        }
    }
}

/// A refused key, with everything needed to tell the user exactly why.
public struct KeyRejection: Error, Sendable, Equatable {
    public let code: ValidationCode
    public let message: String
    /// Seconds until a retry can succeed, for rate limits.
    public let retryAfterSeconds: Int?
    /// The scope that was needed, for `INSUFFICIENT_SCOPE`.
    public let requiredScope: Scope?
    /// The key the rejection is about, when it was found (never the key itself).
    public let keyId: String?

    public init(
        code: ValidationCode, message: String, retryAfterSeconds: Int? = nil,
        requiredScope: Scope? = nil, keyId: String? = nil
    ) {
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
        self.requiredScope = requiredScope
        self.keyId = keyId
    }
}
