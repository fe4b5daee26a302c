import AsyncHTTPClient
import Foundation
import HokusaiCore
import NIOCore
import NIOHTTP1

/// Key management through a running server's `/api/v1/keys`, with the key in `HOKUSAI_API_KEY`.
struct RemoteKeyBackend: KeyBackend {
    let baseURL: String
    let apiKey: String

    init(baseURL: String, apiKey: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
    }

    func create(_ request: KeyCreationRequest, admin: Bool) async throws -> Data {
        try await send(.POST, "/api/v1/keys", body: try JSONEncoder().encode(request))
    }

    func list(userId: String?, serviceId: String?, activeOnly: Bool, limit: Int) async throws -> Data {
        var query = ["limit=\(limit)", "active_only=\(activeOnly)"]
        if let userId { query.append("user_id=\(Self.escape(userId))") }
        if let serviceId { query.append("service_id=\(Self.escape(serviceId))") }
        return try await send(.GET, "/api/v1/keys?" + query.joined(separator: "&"))
    }

    func show(id: String) async throws -> Data {
        try await send(.GET, "/api/v1/keys/\(Self.escape(id))")
    }

    func revoke(id: String) async throws -> Data {
        try await send(.DELETE, "/api/v1/keys/\(Self.escape(id))")
    }

    func rotate(id: String, graceSeconds: Int?) async throws -> Data {
        let body = graceSeconds.map { "{\"grace_seconds\":\($0)}" } ?? "{}"
        return try await send(.POST, "/api/v1/keys/\(Self.escape(id))/rotate", body: Data(body.utf8))
    }

    func close() async {}

    private func send(_ method: HTTPMethod, _ path: String, body: Data? = nil) async throws -> Data {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            throw CommandFailure("cannot reach \(baseURL): \(error)")
        }
        let buffer = try await response.body.collect(upTo: 16 << 20)
        let data = Data(buffer: buffer)
        guard (200..<300).contains(response.status.code) else {
            throw CommandFailure("\(baseURL) answered \(response.status.code): \(Self.errorMessage(data))")
        }
        return data
    }

    static func errorMessage(_ data: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            let code = (object["error"] ?? object["error_code"]).map { "\($0): " } ?? ""
            if let message = (object["message"] ?? object["detail"]) as? String { return code + message }
        }
        return String(decoding: data.prefix(500), as: UTF8.self)
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+/?")))
            ?? text
    }
}
