import HokusaiCore

/// A key as the API shows it: everything but the key, which appears only masked.
/// `key_id` and `key_prefix` repeat `id` and the masked head for the reference system's clients.
public struct KeyInfo: Codable, Sendable {
    public let id: String
    public let keyId: String
    public let name: String
    public let maskedKey: String
    public let keyPrefix: String
    public let userId: String
    public let email: String?
    public let serviceId: String
    public let environment: String
    public let scopes: [String]
    public let isAdmin: Bool
    public let isActive: Bool
    public let rateLimitPerHour: Int
    public let billingPlan: String
    public let createdAt: String
    public let expiresAt: String?
    public let revokedAt: String?
    public let lastUsedAt: String?
    public let createdBy: String?
    public let rotatedFrom: String?
    public let replacedBy: String?
    /// The non-admin key that created this one; revoking it revokes this key too.
    public let parentKeyId: String?
    /// The key whose hourly budget this key's requests also draw on (the root of its chain).
    public let budgetKeyId: String?

    enum CodingKeys: String, CodingKey {
        case id, name, email, environment, scopes
        case keyId = "key_id"
        case maskedKey = "masked_key"
        case keyPrefix = "key_prefix"
        case userId = "user_id"
        case serviceId = "service_id"
        case isAdmin = "is_admin"
        case isActive = "is_active"
        case rateLimitPerHour = "rate_limit_per_hour"
        case billingPlan = "billing_plan"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
        case lastUsedAt = "last_used_at"
        case createdBy = "created_by"
        case rotatedFrom = "rotated_from"
        case replacedBy = "replaced_by"
        case parentKeyId = "parent_key_id"
        case budgetKeyId = "budget_key_id"
    }

    public init(_ key: KeyRecord, now: Int64 = Timestamp.nowMillis()) {
        self.id = key.id
        self.keyId = key.id
        self.name = key.name
        self.maskedKey = key.maskedKey
        self.keyPrefix = key.keyHead
        self.userId = key.userId
        self.email = key.email
        self.serviceId = key.serviceId
        self.environment = key.environment.rawValue
        self.scopes = key.scopes.names
        self.isAdmin = key.scopes.isAdmin
        self.isActive = key.isActive(at: now)
        self.rateLimitPerHour = key.rateLimitPerHour
        self.billingPlan = key.billingPlan
        self.createdAt = Timestamp.iso8601(key.createdAt)
        self.expiresAt = key.expiresAt.map(Timestamp.iso8601)
        self.revokedAt = key.revokedAt.map(Timestamp.iso8601)
        self.lastUsedAt = key.lastUsedAt.map(Timestamp.iso8601)
        self.createdBy = key.createdBy
        self.rotatedFrom = key.rotatedFrom
        self.replacedBy = key.replacedBy
        self.parentKeyId = key.parentKeyId
        self.budgetKeyId = key.sharedBudget?.keyId
    }

    /// Optional fields are written as `null`, so every key_info has the same fields.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(keyId, forKey: .keyId)
        try c.encode(name, forKey: .name)
        try c.encode(maskedKey, forKey: .maskedKey)
        try c.encode(keyPrefix, forKey: .keyPrefix)
        try c.encode(userId, forKey: .userId)
        try c.encode(email, forKey: .email)
        try c.encode(serviceId, forKey: .serviceId)
        try c.encode(environment, forKey: .environment)
        try c.encode(scopes, forKey: .scopes)
        try c.encode(isAdmin, forKey: .isAdmin)
        try c.encode(isActive, forKey: .isActive)
        try c.encode(rateLimitPerHour, forKey: .rateLimitPerHour)
        try c.encode(billingPlan, forKey: .billingPlan)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(expiresAt, forKey: .expiresAt)
        try c.encode(revokedAt, forKey: .revokedAt)
        try c.encode(lastUsedAt, forKey: .lastUsedAt)
        try c.encode(createdBy, forKey: .createdBy)
        try c.encode(rotatedFrom, forKey: .rotatedFrom)
        try c.encode(replacedBy, forKey: .replacedBy)
        try c.encode(parentKeyId, forKey: .parentKeyId)
        try c.encode(budgetKeyId, forKey: .budgetKeyId)
    }
}

/// `{api_key, key_id, key_info}`: the only response that ever carries a key.
public struct IssuedKeyResponse: Codable, Sendable {
    public let apiKey: String
    public let keyId: String
    public let keyInfo: KeyInfo
    public let previousKey: KeyInfo?

    public init(apiKey: String, keyId: String, keyInfo: KeyInfo, previousKey: KeyInfo?) {
        self.apiKey = apiKey
        self.keyId = keyId
        self.keyInfo = keyInfo
        self.previousKey = previousKey
    }

    enum CodingKeys: String, CodingKey {
        case apiKey = "api_key"
        case keyId = "key_id"
        case keyInfo = "key_info"
        case previousKey = "previous_key"
    }
}

public struct KeyListResponse: Codable, Sendable {
    public let keys: [KeyInfo]
    public let nextPageToken: String?

    public init(keys: [KeyInfo], nextPageToken: String?) {
        self.keys = keys
        self.nextPageToken = nextPageToken
    }

    enum CodingKeys: String, CodingKey {
        case keys
        case nextPageToken = "next_page_token"
    }
}
