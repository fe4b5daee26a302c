import AsyncHTTPClient
import Foundation
import HokusaiCore
import NIOCore
import NIOHTTP1

/// The doctor's HTTP: one request, one `Observation` (never a thrown error: a failure to connect is
/// evidence too), and the whole body for checks that compare bytes.
struct DoctorProbe: Sendable {
    let baseURL: String
    let key: String?
    /// Short connection timeout: an unreachable server is a finding, not something to wait on.
    let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(3), read: .seconds(60))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    func shutdown() async { try? await client.shutdown() }

    enum Credential: Sendable {
        case none
        case bearer, lowercaseBearer, apiKey, xAPIKey, basic
        case raw(String)
    }

    struct Answer: Sendable {
        let observation: Observation
        let body: ByteBuffer
        let headers: HTTPHeaders

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        }
    }

    func send(
        _ method: HTTPMethod, _ path: String, credential: Credential = .bearer, json: [String: Any]? = nil, bytes: [UInt8]? = nil,
        timeout: TimeAmount = .seconds(30)
    ) async -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let header = authorization(credential) { request.headers.add(name: header.0, value: header.1) }
        if let json, let data = try? JSONSerialization.data(withJSONObject: json) {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: data))
        } else if let bytes {
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        let start = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 64 << 20)
            let observation = Observation(
                method: method.rawValue, path: path, status: Int(response.status.code),
                contentType: response.headers.first(name: "Content-Type"),
                body: String(decoding: body.readableBytesView.prefix(4000), as: UTF8.self),
                latencyMs: Self.milliseconds(since: start), retryAfter: response.headers.first(name: "Retry-After"))
            return Answer(observation: observation, body: body, headers: response.headers)
        } catch {
            let observation = Observation(
                method: method.rawValue, path: path, status: nil, latencyMs: Self.milliseconds(since: start),
                transportError: String(describing: error))
            return Answer(observation: observation, body: ByteBuffer(), headers: [:])
        }
    }

    func authorization(_ credential: Credential) -> (String, String)? {
        guard let key else {
            if case .raw(let value) = credential { return ("Authorization", value) }
            return nil
        }
        switch credential {
        case .none: return nil
        case .bearer: return ("Authorization", "Bearer \(key)")
        case .lowercaseBearer: return ("Authorization", "bearer \(key)")
        case .apiKey: return ("Authorization", "ApiKey \(key)")
        case .xAPIKey: return ("X-API-Key", key)
        case .basic: return ("Authorization", "Basic " + Data("token:\(key)".utf8).base64EncodedString())
        case .raw(let value): return ("Authorization", value)
        }
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }
}
