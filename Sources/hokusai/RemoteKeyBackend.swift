import AsyncHTTPClient
import Foundation
import HokusaiCore
import NIOCore
import NIOHTTP1

/// Key management through a running server's `/api/v1/keys`, with the key in `HOKUSAI_API_KEY`.
struct RemoteKeyBackend: KeyBackend {
    let server: ServerClient

    private func send(_ method: HTTPMethod, _ path: String, body: Data? = nil) async throws -> Data {
        try await server.send(method, path, body: body)
    }

    func create(_ request: KeyCreationRequest, admin: Bool) async throws -> Data {
        try await send(.POST, "/api/v1/keys", body: try JSONEncoder().encode(request))
    }

    func list(userId: String?, serviceId: String?, activeOnly: Bool, limit: Int) async throws -> Data {
        var query = ["limit=\(limit)", "active_only=\(activeOnly)"]
        if let userId { query.append("user_id=\(ServerClient.escape(userId))") }
        if let serviceId { query.append("service_id=\(ServerClient.escape(serviceId))") }
        return try await send(.GET, "/api/v1/keys?" + query.joined(separator: "&"))
    }

    func show(id: String) async throws -> Data {
        try await send(.GET, "/api/v1/keys/\(ServerClient.escape(id))")
    }

    func revoke(id: String) async throws -> Data {
        try await send(.DELETE, "/api/v1/keys/\(ServerClient.escape(id))")
    }

    func rotate(id: String, graceSeconds: Int?) async throws -> Data {
        let body = graceSeconds.map { "{\"grace_seconds\":\($0)}" } ?? "{}"
        return try await send(.POST, "/api/v1/keys/\(ServerClient.escape(id))/rotate", body: Data(body.utf8))
    }

    func close() async {}
}
