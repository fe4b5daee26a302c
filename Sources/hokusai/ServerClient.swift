import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A running server's HTTP API, called with the key in `HOKUSAI_API_KEY`, for the CLI's remote
/// commands. Errors come back as the server's own message.
struct ServerClient: Sendable {
    let baseURL: String
    let apiKey: String

    init(baseURL: String, apiKey: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
    }

    func send(_ method: HTTPMethod, _ path: String, body: Data? = nil) async throws -> Data {
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
