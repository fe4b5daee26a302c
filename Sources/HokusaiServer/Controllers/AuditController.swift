import HokusaiCore
import HokusaiStore
import Hummingbird

/// `GET /api/v1/audit`: the key audit log, newest first, for admin keys.
/// Filters: `event` (key.created, key.rotated, key.revoked, auth.failed), `key_id`, `user_id`,
/// `code` (a validation code), `since` (epoch milliseconds); paging with `limit` and `page_token`.
struct AuditController {
    let database: any Database

    func register(on routes: inout RouteRegistrar) {
        routes.add(.get, "/api/v1/audit", requires: .admin, list)
    }

    @Sendable func list(_ request: Request, context: HokusaiRequestContext, key _: KeyRecord) async throws -> Response {
        let query = request.uri.queryParameters
        let page = try PageRequest(query: query)
        var filter = AuditFilter()
        if let raw = query["event"] {
            guard let kind = AuditEvent.Kind(rawValue: String(raw)) else {
                let names = AuditEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError.invalidParameter(field: "event", message: "event must be one of \(names)")
            }
            filter.kind = kind
        }
        filter.keyId = query["key_id"].map(String.init)
        filter.userId = query["user_id"].map(String.init)
        filter.code = query["code"].map(String.init)
        if let raw = query["since"] {
            guard let since = Int64(raw), since >= 0 else {
                throw APIError.invalidParameter(field: "since", message: "since must be epoch milliseconds")
            }
            filter.since = since
        }
        let events = try await database.read { [filter] db in
            try await AuditRepository().list(filter, limit: page.limit, offset: page.offset, on: db)
        }
        return try JSONResponse.make(
            AuditListResponse(
                events: events.map(AuditEntry.init), nextPageToken: page.nextToken(returned: events.count)))
    }
}

struct AuditEntry: Encodable {
    let id: String
    let occurredAt: String
    let event: String
    let keyId: String?
    let actorKeyId: String?
    let userId: String?
    let code: String?
    let clientIp: String?
    let requestId: String?
    let detail: String?

    enum CodingKeys: String, CodingKey {
        case id, event, code, detail
        case occurredAt = "occurred_at"
        case keyId = "key_id"
        case actorKeyId = "actor_key_id"
        case userId = "user_id"
        case clientIp = "client_ip"
        case requestId = "request_id"
    }

    init(_ event: AuditEvent) {
        id = event.id
        occurredAt = Timestamp.iso8601(event.occurredAt)
        self.event = event.kind.rawValue
        keyId = event.keyId
        actorKeyId = event.actorKeyId
        userId = event.userId
        code = event.code
        clientIp = event.clientIP
        requestId = event.requestId
        detail = event.detail
    }
}

struct AuditListResponse: Encodable {
    let events: [AuditEntry]
    let nextPageToken: String?
    enum CodingKeys: String, CodingKey {
        case events
        case nextPageToken = "next_page_token"
    }
}
