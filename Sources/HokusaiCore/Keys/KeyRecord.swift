/// A stored API key: everything about it except the key itself, of which only the SHA-256
/// hash and the displayable head and tail are kept. Times are epoch milliseconds.
public struct KeyRecord: Sendable, Equatable {
    public var id: String
    public var keyHash: String
    public var keyHead: String
    public var keyTail: String
    public var name: String
    public var userId: String
    public var email: String?
    public var serviceId: String
    public var environment: APIKeyEnvironment
    public var scopes: ScopeSet
    public var rateLimitPerHour: Int
    public var billingPlan: String
    public var createdAt: Int64
    public var expiresAt: Int64?
    /// When the key stops working. A time in the future is a scheduled revocation:
    /// rotation with a grace period sets it to the end of the grace.
    public var revokedAt: Int64?
    public var lastUsedAt: Int64?
    public var createdBy: String?
    public var rotatedFrom: String?
    public var replacedBy: String?
    /// The non-admin key that created this one: revoking it revokes this key too, and this key
    /// never outlives it. Nil for keys made by an admin key or the operator.
    public var parentKeyId: String?
    /// The hourly budget of the chain this key belongs to, drawn on by every key in it.
    public var sharedBudget: KeyBudget?

    public init(
        id: String, keyHash: String, keyHead: String, keyTail: String, name: String, userId: String,
        email: String?, serviceId: String, environment: APIKeyEnvironment, scopes: ScopeSet,
        rateLimitPerHour: Int, billingPlan: String, createdAt: Int64, expiresAt: Int64?,
        revokedAt: Int64? = nil, lastUsedAt: Int64? = nil, createdBy: String? = nil,
        rotatedFrom: String? = nil, replacedBy: String? = nil, parentKeyId: String? = nil, sharedBudget: KeyBudget? = nil
    ) {
        self.id = id
        self.keyHash = keyHash
        self.keyHead = keyHead
        self.keyTail = keyTail
        self.name = name
        self.userId = userId
        self.email = email
        self.serviceId = serviceId
        self.environment = environment
        self.scopes = scopes
        self.rateLimitPerHour = rateLimitPerHour
        self.billingPlan = billingPlan
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
        self.createdBy = createdBy
        self.rotatedFrom = rotatedFrom
        self.replacedBy = replacedBy
        self.parentKeyId = parentKeyId
        self.sharedBudget = sharedBudget
    }

    public var maskedKey: String { APIKeyFormat.mask(head: keyHead, tail: keyTail) }

    public func isRevoked(at now: Int64) -> Bool {
        guard let revokedAt else { return false }
        return revokedAt <= now
    }

    public func isExpired(at now: Int64) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt <= now
    }

    public func isActive(at now: Int64) -> Bool { !isRevoked(at: now) && !isExpired(at: now) }

    /// When the key stops working by itself: its expiry or a scheduled revocation, whichever is first.
    public var endsAt: Int64? {
        switch (expiresAt, revokedAt) {
        case (let expiry?, let revocation?): min(expiry, revocation)
        case (let expiry?, nil): expiry
        case (nil, let revocation?): revocation
        case (nil, nil): nil
        }
    }

    /// The budget this key's requests draw on besides its own limit: the chain's, or none.
    public var budgetForKeysItCreates: KeyBudget {
        sharedBudget ?? KeyBudget(keyId: id, limitPerHour: rateLimitPerHour)
    }
}

/// An hourly request budget shared by a chain of keys: the key at the chain's root (made by an
/// admin key or the operator) and its limit. Keys a non-admin key creates draw on it, so minting
/// keys never multiplies what the root key was granted.
public struct KeyBudget: Sendable, Equatable {
    public let keyId: String
    public let limitPerHour: Int

    public init(keyId: String, limitPerHour: Int) {
        self.keyId = keyId
        self.limitPerHour = limitPerHour
    }
}
