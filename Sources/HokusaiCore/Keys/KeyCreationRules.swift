/// A key-creation request as it arrives, every field optional so that each rule can name the
/// field it checks instead of failing on decoding.
public struct KeyCreationRequest: Sendable, Codable, Equatable {
    public var name: String?
    public var serviceId: String?
    public var environment: String?
    public var scopes: [String]?
    public var expiresInDays: Int?
    public var rateLimitPerHour: Int?
    public var billingPlan: String?
    public var userId: String?
    public var email: String?

    enum CodingKeys: String, CodingKey {
        case name, environment, scopes, email
        case serviceId = "service_id"
        case expiresInDays = "expires_in_days"
        case rateLimitPerHour = "rate_limit_per_hour"
        case billingPlan = "billing_plan"
        case userId = "user_id"
    }

    public init(
        name: String? = nil, serviceId: String? = nil, environment: String? = nil, scopes: [String]? = nil,
        expiresInDays: Int? = nil, rateLimitPerHour: Int? = nil, billingPlan: String? = nil,
        userId: String? = nil, email: String? = nil
    ) {
        self.name = name
        self.serviceId = serviceId
        self.environment = environment
        self.scopes = scopes
        self.expiresInDays = expiresInDays
        self.rateLimitPerHour = rateLimitPerHour
        self.billingPlan = billingPlan
        self.userId = userId
        self.email = email
    }
}

/// Who is asking for a key. `nil` callers are the local operator (the CLI on the store), who may do anything.
public struct KeyCaller: Sendable, Equatable {
    public let keyId: String
    public let userId: String
    public let email: String?
    public let scopes: ScopeSet
    public let rateLimitPerHour: Int
    /// When the calling key stops working (expiry or scheduled revocation); a key it creates ends no later.
    public let endsAt: Int64?
    /// The hourly budget the calling key draws on, which keys it creates share.
    public let budget: KeyBudget

    public init(
        keyId: String, userId: String, email: String?, scopes: ScopeSet, rateLimitPerHour: Int, endsAt: Int64? = nil,
        budget: KeyBudget? = nil
    ) {
        self.keyId = keyId
        self.userId = userId
        self.email = email
        self.scopes = scopes
        self.rateLimitPerHour = rateLimitPerHour
        self.endsAt = endsAt
        self.budget = budget ?? KeyBudget(keyId: keyId, limitPerHour: rateLimitPerHour)
    }

    public init(record: KeyRecord) {
        self.init(
            keyId: record.id, userId: record.userId, email: record.email, scopes: record.scopes,
            rateLimitPerHour: record.rateLimitPerHour, endsAt: record.endsAt, budget: record.budgetForKeysItCreates)
    }
}

/// The settings of a key about to be created, every rule already applied.
public struct NewKeySettings: Sendable, Equatable {
    public var name: String
    public var serviceId: String
    public var environment: APIKeyEnvironment
    public var scopes: ScopeSet
    public var expiresAt: Int64?
    public var rateLimitPerHour: Int
    public var billingPlan: String
    public var userId: String
    public var email: String?
    /// The non-admin key creating this one, which this key may not outlive; nil for admin-made keys.
    public var parentKeyId: String?
    /// The chain's shared hourly budget, when a non-admin key creates this one.
    public var sharedBudget: KeyBudget?

    public init(
        name: String, serviceId: String, environment: APIKeyEnvironment, scopes: ScopeSet, expiresAt: Int64?,
        rateLimitPerHour: Int, billingPlan: String, userId: String, email: String?, parentKeyId: String? = nil,
        sharedBudget: KeyBudget? = nil
    ) {
        self.name = name
        self.serviceId = serviceId
        self.environment = environment
        self.scopes = scopes
        self.expiresAt = expiresAt
        self.rateLimitPerHour = rateLimitPerHour
        self.billingPlan = billingPlan
        self.userId = userId
        self.email = email
        self.parentKeyId = parentKeyId
        self.sharedBudget = sharedBudget
    }
}

/// Why a key cannot be created or changed as asked.
public enum KeyRequestProblem: Error, Sendable, Equatable {
    /// Bad input: names the field and the rule it broke (400).
    case invalidField(field: String, message: String)
    /// Well-formed, but the caller may not do it (403).
    case forbidden(message: String)
    /// The key's state does not allow it (409).
    case conflict(message: String)
}

/// The rules for creating a key. Pure, so each rule is unit-tested directly.
public enum KeyCreationRules {
    public static let defaultServiceId = "platform"
    public static let defaultRateLimitPerHour = 1000
    public static let rateLimitRange = 10...100_000
    public static let expiryDaysRange = 1...365
    public static let defaultBillingPlan = "free"

    public static func settings(
        for request: KeyCreationRequest,
        caller: KeyCaller?,
        now: Int64
    ) -> Result<NewKeySettings, KeyRequestProblem> {
        do {
            return .success(try validatedSettings(for: request, caller: caller, now: now))
        } catch let problem as KeyRequestProblem {
            return .failure(problem)
        } catch {
            return .failure(.invalidField(field: "body", message: "\(error)"))
        }
    }

    private static func validatedSettings(
        for request: KeyCreationRequest, caller: KeyCaller?, now: Int64
    ) throws -> NewKeySettings {
        let name = request.name?.trimmingSpaces ?? ""
        guard (1...100).contains(name.count) else {
            throw invalid("name", "is required and must be 1 to 100 characters")
        }
        let serviceId = request.serviceId ?? defaultServiceId
        guard Identifier.isValid(serviceId, maxLength: 64) else {
            throw invalid(
                "service_id", "must be 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
        let environment = try parseEnvironment(request.environment)
        let scopes = try parseScopes(request.scopes, caller: caller)
        var expiresAt = try expiry(days: request.expiresInDays, now: now)
        let rateLimit = request.rateLimitPerHour ?? min(defaultRateLimitPerHour, caller?.rateLimitPerHour ?? .max)
        guard rateLimitRange.contains(rateLimit) else {
            throw invalid("rate_limit_per_hour", "must be between \(rateLimitRange.lowerBound) and \(rateLimitRange.upperBound)")
        }
        let billingPlan = request.billingPlan ?? defaultBillingPlan
        guard Identifier.isValid(billingPlan, maxLength: 50) else {
            throw invalid("billing_plan", "must be 1 to 50 lowercase letters, digits, '.', '_' or '-'")
        }
        let userId = request.userId ?? caller?.userId ?? "admin"
        guard (1...200).contains(userId.count), !userId.contains(where: \.isNewline) else {
            throw invalid("user_id", "must be 1 to 200 characters on one line")
        }
        var email = request.email
        if email == nil, let caller, caller.userId == userId { email = caller.email }
        if let email, !(email.count <= 254 && email.contains("@") && !email.contains(where: \.isWhitespace)) {
            throw invalid("email", "must be an email address")
        }
        if let caller, !caller.scopes.isAdmin {
            guard userId == caller.userId else {
                throw KeyRequestProblem.forbidden(
                    message: "Only admin keys may create keys for another user (this key belongs to '\(caller.userId)')")
            }
            guard rateLimit <= caller.rateLimitPerHour else {
                throw KeyRequestProblem.forbidden(
                    message: "rate_limit_per_hour may not exceed this key's own limit of \(caller.rateLimitPerHour)")
            }
            // A key made by a non-admin key is part of its creator's chain: it never outlives its
            // creator (asking for longer, or for no expiry, gets the creator's end) and its requests
            // draw on the chain's hourly budget as well as its own limit.
            if let creatorEnd = caller.endsAt {
                expiresAt = min(expiresAt ?? creatorEnd, creatorEnd)
            }
            return NewKeySettings(
                name: name, serviceId: serviceId, environment: environment, scopes: scopes, expiresAt: expiresAt,
                rateLimitPerHour: rateLimit, billingPlan: billingPlan, userId: userId, email: email,
                parentKeyId: caller.keyId, sharedBudget: caller.budget)
        }
        return NewKeySettings(
            name: name, serviceId: serviceId, environment: environment, scopes: scopes, expiresAt: expiresAt,
            rateLimitPerHour: rateLimit, billingPlan: billingPlan, userId: userId, email: email)
    }

    static func parseEnvironment(_ raw: String?) throws -> APIKeyEnvironment {
        guard let raw else { return .production }
        guard let environment = APIKeyEnvironment(rawValue: raw) else {
            throw invalid("environment", "must be one of production, test, development")
        }
        return environment
    }

    static func parseScopes(_ raw: [String]?, caller: KeyCaller?) throws -> ScopeSet {
        let requested: ScopeSet
        if let raw {
            guard !raw.isEmpty else { throw invalid("scopes", "must name at least one scope") }
            switch ScopeSet.parse(raw) {
            case .success(let scopes): requested = scopes
            case .failure(let unknown):
                throw invalid("scopes", "'\(unknown.name)' is not a scope; use read, write or admin")
            }
        } else if let caller, !caller.scopes.allows(.write) {
            requested = ScopeSet([.read])
        } else {
            requested = ScopeSet([.read, .write])
        }
        if let caller, let wanted = requested.highest, !caller.scopes.allows(wanted) {
            throw KeyRequestProblem.forbidden(
                message: "A key may not grant more than it has: scope '\(wanted.rawValue)' is not granted to this key")
        }
        return requested
    }

    static func expiry(days: Int?, now: Int64) throws -> Int64? {
        guard let days else { return nil }
        guard expiryDaysRange.contains(days) else {
            throw invalid("expires_in_days", "must be between \(expiryDaysRange.lowerBound) and \(expiryDaysRange.upperBound)")
        }
        return now + Int64(days) * 86_400_000
    }

    static func invalid(_ field: String, _ message: String) -> KeyRequestProblem {
        .invalidField(field: field, message: "\(field) \(message)")
    }
}

/// Lowercase identifiers for services and plans.
enum Identifier {
    static func isValid(_ text: String, maxLength: Int) -> Bool {
        guard let first = text.utf8.first, text.utf8.count <= maxLength else { return false }
        let isLowerAlnum: (UInt8) -> Bool = { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }
        return isLowerAlnum(first) && text.utf8.allSatisfy { isLowerAlnum($0) || $0 == 46 || $0 == 95 || $0 == 45 }
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return String(text)
    }
}
