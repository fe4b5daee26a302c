import HokusaiCore
import SQLKit

public struct AuditFilter: Sendable, Equatable {
    public var kind: AuditEvent.Kind?
    public var keyId: String?
    public var userId: String?
    public var code: String?
    /// Epoch milliseconds, inclusive.
    public var since: Int64?

    public init(
        kind: AuditEvent.Kind? = nil, keyId: String? = nil, userId: String? = nil, code: String? = nil, since: Int64? = nil
    ) {
        self.kind = kind
        self.keyId = keyId
        self.userId = userId
        self.code = code
        self.since = since
    }
}

/// SQL for the `audit_events` table.
public struct AuditRepository: Sendable {
    public init() {}

    public func insert(_ event: AuditEvent, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO audit_events (id, occurred_at, event, key_id, actor_key_id, user_id, code, client_ip, request_id, detail)
            VALUES (\(bind: event.id), \(bind: event.occurredAt), \(bind: event.kind.rawValue), \(bind: event.keyId),
                \(bind: event.actorKeyId), \(bind: event.userId), \(bind: event.code), \(bind: event.clientIP),
                \(bind: event.requestId), \(bind: event.detail))
            """
        ).run()
    }

    /// Newest first.
    public func list(_ filter: AuditFilter, limit: Int, offset: Int, on db: any SQLDatabase) async throws -> [AuditEvent] {
        var query = db.select().column("*").from("audit_events")
        if let kind = filter.kind { query = query.where("event", .equal, kind.rawValue) }
        if let keyId = filter.keyId { query = query.where("key_id", .equal, keyId) }
        if let userId = filter.userId { query = query.where("user_id", .equal, userId) }
        if let code = filter.code { query = query.where("code", .equal, code) }
        if let since = filter.since { query = query.where("occurred_at", .greaterThanOrEqual, since) }
        let rows =
            try await query
            .orderBy("occurred_at", .descending).orderBy("id", .descending)
            .limit(limit).offset(offset)
            .all()
        return try rows.map(Self.event)
    }

    static func event(_ row: any SQLRow) throws -> AuditEvent {
        let kindName = try row.decode(column: "event", as: String.self)
        guard let kind = AuditEvent.Kind(rawValue: kindName) else {
            throw StoreError.corruptRow(table: "audit_events", detail: "unknown event '\(kindName)'")
        }
        return AuditEvent(
            id: try row.decode(column: "id", as: String.self),
            occurredAt: try row.decode(column: "occurred_at", as: Int64.self),
            kind: kind,
            keyId: try row.decode(column: "key_id", as: String?.self),
            actorKeyId: try row.decode(column: "actor_key_id", as: String?.self),
            userId: try row.decode(column: "user_id", as: String?.self),
            code: try row.decode(column: "code", as: String?.self),
            clientIP: try row.decode(column: "client_ip", as: String?.self),
            requestId: try row.decode(column: "request_id", as: String?.self),
            detail: try row.decode(column: "detail", as: String?.self))
    }
}
