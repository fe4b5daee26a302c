import HokusaiCore
import HokusaiStore
import Hummingbird

/// `/api/v1/keys`: issue, list, show, revoke and rotate keys.
///
/// Any valid key may manage its own user's keys (never granting more scope or a higher limit
/// than it has itself); admin keys manage everyone's. Keys of other users are invisible (404) to
/// non-admins rather than forbidden, so ids cannot be probed.
struct KeysController {
    let service: KeyService
    /// Cleared after every revocation or rotation, so the gateway never serves a stale record.
    let cache: KeyRecordCache

    func register(on routes: inout RouteRegistrar) {
        // Any valid key manages its own keys (read scope included); what it may do to which key is
        // checked per request (`visibleKey`, `authorizeChange`, `KeyCreationRules`).
        routes.add(.post, "/api/v1/keys", requires: .read, create)
        routes.add(.get, "/api/v1/keys", requires: .read, list)
        routes.add(.get, "/api/v1/keys/:id", requires: .read, show)
        routes.add(.delete, "/api/v1/keys/:id", requires: .read, revoke)
        routes.add(.post, "/api/v1/keys/:id/rotate", requires: .read, rotate)
    }

    @Sendable func create(_ request: Request, context: HokusaiRequestContext, caller: KeyRecord) async throws -> Response {
        let body = try await JSONBody.decode(KeyCreationRequest.self, from: request, context: context)
        let now = Timestamp.nowMillis()
        let settings: NewKeySettings
        switch KeyCreationRules.settings(for: body, caller: KeyCaller(record: caller), now: now) {
        case .failure(let problem): throw APIError.from(problem)
        case .success(let value): settings = value
        }
        let issued = try await service.issue(settings, origin: origin(context), now: now)
        return try JSONResponse.make(
            IssuedKeyResponse(apiKey: issued.apiKey, keyId: issued.record.id, keyInfo: KeyInfo(issued.record), previousKey: nil),
            status: .created)
    }

    @Sendable func list(_ request: Request, context: HokusaiRequestContext, caller: KeyRecord) async throws -> Response {
        let query = request.uri.queryParameters
        let page = try PageRequest(query: query)
        var filter = KeyListFilter()
        filter.serviceId = query["service_id"].map(String.init)
        if let raw = query["environment"] {
            guard let environment = APIKeyEnvironment(rawValue: String(raw)) else {
                throw APIError.invalidParameter(
                    field: "environment", message: "environment must be one of production, test, development")
            }
            filter.environment = environment
        }
        if let raw = query["active_only"] {
            guard let value = Bool(String(raw).lowercased()) else {
                throw APIError.invalidParameter(field: "active_only", message: "active_only must be true or false")
            }
            filter.activeOnly = value
        }
        let requestedUser = query["user_id"].map(String.init)
        if caller.scopes.isAdmin {
            filter.userId = requestedUser
        } else {
            if let requestedUser, requestedUser != caller.userId {
                throw APIError.forbidden("Only admin keys may list another user's keys (this key belongs to '\(caller.userId)')")
            }
            filter.userId = caller.userId
        }
        let keys = try await service.list(filter, limit: page.limit, offset: page.offset)
        return try JSONResponse.make(
            KeyListResponse(keys: keys.map { KeyInfo($0) }, nextPageToken: page.nextToken(returned: keys.count)))
    }

    @Sendable func show(_ request: Request, context: HokusaiRequestContext, caller: KeyRecord) async throws -> Response {
        let key = try await visibleKey(context, caller: caller)
        return try JSONResponse.make(KeyInfo(key))
    }

    @Sendable func revoke(_ request: Request, context: HokusaiRequestContext, caller: KeyRecord) async throws -> Response {
        let key = try await visibleKey(context, caller: caller)
        try authorizeChange(of: key, by: caller, context: context)
        defer { cache.clear() }
        guard let revoked = try await service.revoke(id: key.id, origin: origin(context)) else {
            throw APIError.notFound("No API key with id '\(key.id)'")
        }
        return try JSONResponse.make(RevokedKeyResponse(revoked))
    }

    struct RotateBody: Decodable {
        let graceSeconds: Int?
        enum CodingKeys: String, CodingKey { case graceSeconds = "grace_seconds" }
    }

    @Sendable func rotate(_ request: Request, context: HokusaiRequestContext, caller: KeyRecord) async throws -> Response {
        let body = try await JSONBody.decode(RotateBody.self, from: request, context: context, emptyMeans: "{}")
        let key = try await visibleKey(context, caller: caller)
        try authorizeChange(of: key, by: caller, context: context)
        defer { cache.clear() }
        switch try await service.rotate(id: key.id, graceSeconds: body.graceSeconds, origin: origin(context)) {
        case .notFound:
            throw APIError.notFound("No API key with id '\(key.id)'")
        case .refused(let problem):
            throw APIError.from(problem)
        case .rotated(let new, let old):
            return try JSONResponse.make(
                IssuedKeyResponse(
                    apiKey: new.apiKey, keyId: new.record.id, keyInfo: KeyInfo(new.record), previousKey: KeyInfo(old)))
        }
    }

    private func visibleKey(_ context: HokusaiRequestContext, caller: KeyRecord) async throws -> KeyRecord {
        let id = try context.parameters.require("id")
        guard let key = try await service.find(id: id), caller.scopes.isAdmin || key.userId == caller.userId else {
            throw APIError.notFound("No API key with id '\(id)'")
        }
        return key
    }

    /// A key may always revoke or rotate itself; its user's other keys need `write`; anyone else's need `admin`.
    private func authorizeChange(of key: KeyRecord, by caller: KeyRecord, context: HokusaiRequestContext) throws {
        if key.id == caller.id || caller.scopes.isAdmin { return }
        _ = try context.principal(requiring: .write)
    }

    private func origin(_ context: HokusaiRequestContext) -> ActionOrigin {
        ActionOrigin(actorKeyId: context.authenticatedKey?.id, clientIP: context.clientIP, requestId: context.requestId)
    }
}

public struct RevokedKeyResponse: Codable, Sendable {
    public let message: String
    public let keyInfo: KeyInfo
    /// Keys the revoked key had created, revoked with it (down the chain).
    public let revokedWithIt: [String]

    public init(message: String, keyInfo: KeyInfo, revokedWithIt: [String] = []) {
        self.message = message
        self.keyInfo = keyInfo
        self.revokedWithIt = revokedWithIt
    }

    public init(_ revocation: KeyService.Revocation) {
        let others = revocation.descendantIds.count
        let also = others == 0 ? "" : others == 1 ? ", with the key it created" : ", with the \(others) keys it created"
        self.init(
            message: "API key \(revocation.key.maskedKey) is revoked\(also)", keyInfo: KeyInfo(revocation.key),
            revokedWithIt: revocation.descendantIds)
    }

    enum CodingKeys: String, CodingKey {
        case message
        case keyInfo = "key_info"
        case revokedWithIt = "revoked_with_it"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        message = try c.decode(String.self, forKey: .message)
        keyInfo = try c.decode(KeyInfo.self, forKey: .keyInfo)
        // Servers before key chains did not send it.
        revokedWithIt = try c.decodeIfPresent([String].self, forKey: .revokedWithIt) ?? []
    }
}
