/// What a caller asks of a key beyond its being genuine and current.
public struct VerificationDemand: Sendable, Equatable {
    public var serviceId: String?
    public var environment: APIKeyEnvironment?
    public var requiredScope: Scope?

    public init(serviceId: String? = nil, environment: APIKeyEnvironment? = nil, requiredScope: Scope? = nil) {
        self.serviceId = serviceId
        self.environment = environment
        self.requiredScope = requiredScope
    }
}

/// The verification rules, in the order they are applied. Pure: the caller looks the key up
/// (by hash, after `APIKeyFormat.parse` succeeded) and passes what it found.
public enum KeyVerifier {
    public static func verify(
        record: KeyRecord?,
        demand: VerificationDemand,
        now: Int64
    ) -> Result<KeyRecord, KeyRejection> {
        guard let record else {
            return .failure(KeyRejection(code: .notFound, message: "API key is not known to this server"))
        }
        let masked = record.maskedKey
        if let revokedAt = record.revokedAt, revokedAt <= now {
            let how = record.replacedBy != nil ? "was rotated; its grace period ended" : "was revoked"
            return .failure(
                KeyRejection(
                    code: .revoked,
                    message: "API key \(masked) \(how) at \(Timestamp.iso8601(revokedAt))",
                    keyId: record.id))
        }
        if let expiresAt = record.expiresAt, expiresAt <= now {
            return .failure(
                KeyRejection(
                    code: .expired,
                    message: "API key \(masked) expired at \(Timestamp.iso8601(expiresAt))",
                    keyId: record.id))
        }
        if let serviceId = demand.serviceId, serviceId != record.serviceId {
            return .failure(
                KeyRejection(
                    code: .wrongService,
                    message: "API key \(masked) is for service '\(record.serviceId)', not '\(serviceId)'",
                    keyId: record.id))
        }
        if let environment = demand.environment, environment != record.environment {
            return .failure(
                KeyRejection(
                    code: .wrongEnvironment,
                    message: "API key \(masked) is a \(record.environment.rawValue) key; "
                        + "this request needs a \(environment.rawValue) key (\(environment.keyPrefix)…)",
                    keyId: record.id))
        }
        if let required = demand.requiredScope, !record.scopes.allows(required) {
            let current = record.scopes.names.joined(separator: ", ")
            return .failure(
                KeyRejection(
                    code: .insufficientScope,
                    message: "This operation requires scope '\(required.rawValue)'; "
                        + "API key \(masked) has scopes [\(current)]",
                    requiredScope: required,
                    keyId: record.id))
        }
        return .success(record)
    }
}
