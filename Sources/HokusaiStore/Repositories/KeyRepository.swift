import HokusaiCore
import SQLKit

/// Filters for listing keys.
public struct KeyListFilter: Sendable, Equatable {
    public var userId: String?
    public var serviceId: String?
    public var environment: APIKeyEnvironment?
    /// Only keys that work now: not revoked, not expired.
    public var activeOnly: Bool = false

    public init(userId: String? = nil, serviceId: String? = nil, environment: APIKeyEnvironment? = nil, activeOnly: Bool = false)
    {
        self.userId = userId
        self.serviceId = serviceId
        self.environment = environment
        self.activeOnly = activeOnly
    }
}

/// SQL for the `api_keys` table. Every function takes the `SQLDatabase` to run on, so callers
/// compose several repositories' writes inside one `Database.transaction`.
public struct KeyRepository: Sendable {
    public init() {}

    public func insert(_ key: KeyRecord, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO api_keys (id, key_hash, key_head, key_tail, name, user_id, email, service_id, environment,
                scopes, rate_limit_per_hour, billing_plan, created_at, expires_at, revoked_at, last_used_at,
                created_by, rotated_from, replaced_by, parent_key_id, budget_key_id, budget_rate_limit_per_hour)
            VALUES (\(bind: key.id), \(bind: key.keyHash), \(bind: key.keyHead), \(bind: key.keyTail), \(bind: key.name),
                \(bind: key.userId), \(bind: key.email), \(bind: key.serviceId), \(bind: key.environment.rawValue),
                \(bind: key.scopes.names.joined(separator: ",")), \(bind: key.rateLimitPerHour), \(bind: key.billingPlan),
                \(bind: key.createdAt), \(bind: key.expiresAt), \(bind: key.revokedAt), \(bind: key.lastUsedAt),
                \(bind: key.createdBy), \(bind: key.rotatedFrom), \(bind: key.replacedBy), \(bind: key.parentKeyId),
                \(bind: key.sharedBudget?.keyId), \(bind: key.sharedBudget?.limitPerHour))
            """
        ).run()
    }

    public func find(hash: String, on db: any SQLDatabase) async throws -> KeyRecord? {
        try await db.raw("SELECT * FROM api_keys WHERE key_hash = \(bind: hash)").first().map(Self.record)
    }

    public func find(id: String, on db: any SQLDatabase) async throws -> KeyRecord? {
        try await db.raw("SELECT * FROM api_keys WHERE id = \(bind: id)").first().map(Self.record)
    }

    public func count(on db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("SELECT COUNT(*) AS n FROM api_keys").first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Newest first. `limit` rows starting at `offset`.
    public func list(_ filter: KeyListFilter, now: Int64, limit: Int, offset: Int, on db: any SQLDatabase) async throws
        -> [KeyRecord]
    {
        var query = db.select().column("*").from("api_keys")
        if let userId = filter.userId { query = query.where("user_id", .equal, userId) }
        if let serviceId = filter.serviceId { query = query.where("service_id", .equal, serviceId) }
        if let environment = filter.environment { query = query.where("environment", .equal, environment.rawValue) }
        if filter.activeOnly {
            query =
                query
                .where { $0.where("revoked_at", .is, SQLLiteral.null).orWhere("revoked_at", .greaterThan, now) }
                .where { $0.where("expires_at", .is, SQLLiteral.null).orWhere("expires_at", .greaterThan, now) }
        }
        let rows =
            try await query
            .orderBy("created_at", .descending).orderBy("id", .descending)
            .limit(limit).offset(offset)
            .all()
        return try rows.map(Self.record)
    }

    /// Sets when the key stops working (now, or the end of a rotation grace period) and, on
    /// rotation, which key replaces it. Never moves an earlier revocation later.
    public func revoke(id: String, at time: Int64, replacedBy: String?, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE api_keys SET revoked_at = \(bind: time), replaced_by = COALESCE(\(bind: replacedBy), replaced_by)
            WHERE id = \(bind: id) AND (revoked_at IS NULL OR revoked_at > \(bind: time))
            """
        ).run()
    }

    /// The keys `id` created (as a non-admin key), whatever their state.
    public func children(of id: String, on db: any SQLDatabase) async throws -> [KeyRecord] {
        try await db.raw("SELECT * FROM api_keys WHERE parent_key_id = \(bind: id)").all().map(Self.record)
    }

    /// Rotation hands a key's chain to its replacement: the keys it created become the new key's,
    /// and keys drawing on its budget draw on the new key's (which has the same limit).
    public func handOverChain(from oldId: String, to newId: String, on db: any SQLDatabase) async throws {
        try await db.raw("UPDATE api_keys SET parent_key_id = \(bind: newId) WHERE parent_key_id = \(bind: oldId)").run()
        try await db.raw("UPDATE api_keys SET budget_key_id = \(bind: newId) WHERE budget_key_id = \(bind: oldId)").run()
    }

    /// Records last use, written behind in batches; never moves the time backwards.
    public func recordLastUse(_ uses: [String: Int64], on db: any SQLDatabase) async throws {
        for (id, time) in uses {
            try await db.raw(
                """
                UPDATE api_keys SET last_used_at = \(bind: time)
                WHERE id = \(bind: id) AND (last_used_at IS NULL OR last_used_at < \(bind: time))
                """
            ).run()
        }
    }

    static func record(_ row: any SQLRow) throws -> KeyRecord {
        let environmentName = try row.decode(column: "environment", as: String.self)
        guard let environment = APIKeyEnvironment(rawValue: environmentName) else {
            throw StoreError.corruptRow(table: "api_keys", detail: "unknown environment '\(environmentName)'")
        }
        let scopeNames = try row.decode(column: "scopes", as: String.self).split(separator: ",").map(String.init)
        var budget: KeyBudget?
        if let budgetKeyId = try row.decode(column: "budget_key_id", as: String?.self),
            let limit = try row.decode(column: "budget_rate_limit_per_hour", as: Int?.self)
        {
            budget = KeyBudget(keyId: budgetKeyId, limitPerHour: limit)
        }
        guard case .success(let scopes) = ScopeSet.parse(scopeNames) else {
            throw StoreError.corruptRow(table: "api_keys", detail: "unknown scope in '\(scopeNames)'")
        }
        return KeyRecord(
            id: try row.decode(column: "id", as: String.self),
            keyHash: try row.decode(column: "key_hash", as: String.self),
            keyHead: try row.decode(column: "key_head", as: String.self),
            keyTail: try row.decode(column: "key_tail", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            userId: try row.decode(column: "user_id", as: String.self),
            email: try row.decode(column: "email", as: String?.self),
            serviceId: try row.decode(column: "service_id", as: String.self),
            environment: environment,
            scopes: scopes,
            rateLimitPerHour: try row.decode(column: "rate_limit_per_hour", as: Int.self),
            billingPlan: try row.decode(column: "billing_plan", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            expiresAt: try row.decode(column: "expires_at", as: Int64?.self),
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self),
            lastUsedAt: try row.decode(column: "last_used_at", as: Int64?.self),
            createdBy: try row.decode(column: "created_by", as: String?.self),
            rotatedFrom: try row.decode(column: "rotated_from", as: String?.self),
            replacedBy: try row.decode(column: "replaced_by", as: String?.self),
            parentKeyId: try row.decode(column: "parent_key_id", as: String?.self),
            sharedBudget: budget)
    }
}
