import HokusaiCore
import SQLKit

/// A key as issued: the key itself, shown once and never stored, and its stored record.
public struct IssuedKey: Sendable {
    public let apiKey: String
    public let record: KeyRecord
}

/// Where a key-management action came from, for the audit log.
public struct ActionOrigin: Sendable {
    public let actorKeyId: String?
    public let clientIP: String?
    public let requestId: String?

    public init(actorKeyId: String?, clientIP: String?, requestId: String?) {
        self.actorKeyId = actorKeyId
        self.clientIP = clientIP
        self.requestId = requestId
    }

    /// The operator at the command line, working on the store directly.
    public static let localOperator = ActionOrigin(actorKeyId: nil, clientIP: "local", requestId: nil)
}

/// Key lifecycle on the store: issue, rotate, revoke, each in one transaction with its audit event.
/// Used by the HTTP key service and by `hokusai keys …` working offline.
public struct KeyService: Sendable {
    let database: any Database
    let keys = KeyRepository()
    let audit = AuditRepository()

    public init(database: any Database) {
        self.database = database
    }

    /// Issues a key with already-validated settings.
    public func issue(_ settings: NewKeySettings, origin: ActionOrigin, now: Int64 = Timestamp.nowMillis()) async throws
        -> IssuedKey
    {
        let issued = Self.makeKey(settings, createdBy: origin.actorKeyId, rotatedFrom: nil, now: now)
        try await database.transaction { [keys, audit] db in
            try await keys.insert(issued.record, on: db)
            try await audit.insert(
                Self.event(.keyCreated, issued.record, origin, now, detail: "created \(issued.record.maskedKey)"), on: db)
        }
        return issued
    }

    /// Issues the first admin key when the store has no key at all; nil when it already has one.
    /// Runs under the setup lock, so two replicas starting together create one key between them.
    public func issueFirstAdminKeyIfNone(now: Int64 = Timestamp.nowMillis()) async throws -> IssuedKey? {
        let settings = NewKeySettings(
            name: "first admin key", serviceId: KeyCreationRules.defaultServiceId, environment: .production,
            scopes: ScopeSet([.admin]), expiresAt: nil, rateLimitPerHour: 100_000, billingPlan: "internal",
            userId: "admin", email: nil)
        let database = self.database
        return try await database.transaction { [keys, audit] db in
            try await database.lockForSetup(db)
            guard try await keys.count(on: db) == 0 else { return nil }
            let issued = Self.makeKey(settings, createdBy: nil, rotatedFrom: nil, now: now)
            try await keys.insert(issued.record, on: db)
            try await audit.insert(
                Self.event(.keyCreated, issued.record, .localOperator, now, detail: "first admin key at first start"), on: db)
            return issued
        }
    }

    public func find(id: String) async throws -> KeyRecord? {
        try await database.read { [keys] db in try await keys.find(id: id, on: db) }
    }

    public func list(_ filter: KeyListFilter, limit: Int, offset: Int, now: Int64 = Timestamp.nowMillis()) async throws
        -> [KeyRecord]
    {
        try await database.read { [keys] db in
            try await keys.list(filter, now: now, limit: limit, offset: offset, on: db)
        }
    }

    /// A revocation: the key, and the keys it had created (down the chain) revoked with it.
    public struct Revocation: Sendable {
        public let key: KeyRecord
        public let descendantIds: [String]
    }

    /// Revokes now, and every key the key created, down the chain, so no key outlives its
    /// creator. Revoking a revoked key changes nothing and returns it as it is.
    public func revoke(id: String, origin: ActionOrigin, now: Int64 = Timestamp.nowMillis()) async throws -> Revocation? {
        try await database.transaction { [keys, audit] db in
            guard let key = try await keys.find(id: id, on: db) else { return nil }
            if key.isRevoked(at: now) { return Revocation(key: key, descendantIds: []) }
            try await keys.revoke(id: id, at: now, replacedBy: nil, on: db)
            try await audit.insert(Self.event(.keyRevoked, key, origin, now, detail: "revoked \(key.maskedKey)"), on: db)
            var descendantIds: [String] = []
            var creators = [key]
            while let creator = creators.popLast() {
                for child in try await keys.children(of: creator.id, on: db) where !child.isRevoked(at: now) {
                    try await keys.revoke(id: child.id, at: now, replacedBy: nil, on: db)
                    try await audit.insert(
                        Self.event(
                            .keyRevoked, child, origin, now,
                            detail: "revoked \(child.maskedKey) with \(creator.id), the key that created it"),
                        on: db)
                    descendantIds.append(child.id)
                    creators.append(child)
                }
            }
            guard let revoked = try await keys.find(id: id, on: db) else { return nil }
            return Revocation(key: revoked, descendantIds: descendantIds)
        }
    }

    public enum RotationOutcome: Sendable {
        case rotated(new: IssuedKey, old: KeyRecord)
        case refused(KeyRequestProblem)
        case notFound
    }

    /// Issues a replacement with the same settings and schedules the old key's end.
    public func rotate(id: String, graceSeconds: Int?, origin: ActionOrigin, now: Int64 = Timestamp.nowMillis()) async throws
        -> RotationOutcome
    {
        try await database.transaction { [keys, audit] db in
            guard let old = try await keys.find(id: id, on: db) else { return .notFound }
            let plan: KeyRotationRules.Plan
            var creator: KeyRecord?
            if let parentId = old.parentKeyId { creator = try await keys.find(id: parentId, on: db) }
            switch KeyRotationRules.plan(for: old, graceSeconds: graceSeconds, creatorEndsAt: creator?.endsAt, now: now) {
            case .failure(let problem): return .refused(problem)
            case .success(let value): plan = value
            }
            let settings = NewKeySettings(
                name: old.name, serviceId: old.serviceId, environment: old.environment, scopes: old.scopes,
                expiresAt: plan.newKeyExpiresAt, rateLimitPerHour: old.rateLimitPerHour, billingPlan: old.billingPlan,
                userId: old.userId, email: old.email, parentKeyId: old.parentKeyId, sharedBudget: old.sharedBudget)
            let issued = Self.makeKey(settings, createdBy: origin.actorKeyId, rotatedFrom: old.id, now: now)
            try await keys.insert(issued.record, on: db)
            try await keys.revoke(id: old.id, at: plan.oldKeyEndsAt, replacedBy: issued.record.id, on: db)
            try await keys.handOverChain(from: old.id, to: issued.record.id, on: db)
            try await audit.insert(
                Self.event(
                    .keyCreated, issued.record, origin, now,
                    detail: "created \(issued.record.maskedKey) by rotating \(old.id)"),
                on: db)
            try await audit.insert(
                Self.event(
                    .keyRotated, old, origin, now,
                    detail: "rotated \(old.maskedKey) to \(issued.record.id) (\(issued.record.maskedKey)); "
                        + "old key works until \(Timestamp.iso8601(plan.oldKeyEndsAt))"),
                on: db)
            guard let updatedOld = try await keys.find(id: old.id, on: db) else { return .notFound }
            return .rotated(new: issued, old: updatedOld)
        }
    }

    static func makeKey(_ settings: NewKeySettings, createdBy: String?, rotatedFrom: String?, now: Int64) -> IssuedKey {
        let apiKey = APIKeyFormat.generate(environment: settings.environment)
        let visible = APIKeyFormat.visibleParts(of: apiKey)
        let record = KeyRecord(
            id: RandomIdentifier.make(prefix: "key_"), keyHash: APIKeyFormat.hash(apiKey), keyHead: visible.head,
            keyTail: visible.tail, name: settings.name, userId: settings.userId, email: settings.email,
            serviceId: settings.serviceId, environment: settings.environment, scopes: settings.scopes,
            rateLimitPerHour: settings.rateLimitPerHour, billingPlan: settings.billingPlan, createdAt: now,
            expiresAt: settings.expiresAt, createdBy: createdBy, rotatedFrom: rotatedFrom,
            parentKeyId: settings.parentKeyId, sharedBudget: settings.sharedBudget)
        return IssuedKey(apiKey: apiKey, record: record)
    }

    static func event(_ kind: AuditEvent.Kind, _ key: KeyRecord, _ origin: ActionOrigin, _ now: Int64, detail: String)
        -> AuditEvent
    {
        AuditEvent(
            occurredAt: now, kind: kind, keyId: key.id, actorKeyId: origin.actorKeyId, userId: key.userId,
            clientIP: origin.clientIP, requestId: origin.requestId, detail: detail)
    }
}
