import Foundation
import HTTPTypes
import HokusaiCore
import HokusaiServer
import HokusaiStore
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// One application on a fresh store, with its first admin key, driven in-process (`.router`)
/// or over a real socket (`.live`).
struct TestApp: Sendable {
    let store: TestStore
    let database: any Database
    let adminKey: String
    let logs: LogCapture
    /// The bucket artifacts go to, for `.s3` runs.
    let bucket: TestBucket?

    static func run(
        _ kind: TestStoreKind,
        artifacts medium: ArtifactMedium = .disk,
        mode: TestingSetup = .router,
        configure: @Sendable (inout AppConfiguration) -> Void = { _ in },
        logs: LogCapture = LogCapture(),
        inspectRoutes: (RouteTable) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, TestApp) async throws -> Void
    ) async throws {
        let store = try await TestStore.make(kind)
        let logger = logs.logger()
        do {
            let prepared = try await StorePreparation.prepare(location: store.location, logger: logger)
            let adminKey = try #require(prepared.firstAdminKey?.apiKey)
            var configuration = AppConfiguration()
            configuration.artifactsDirectory = store.artifactsDirectory
            let bucket = medium == .s3 ? try await TestBucket.make() : nil
            configuration.artifactsDestination = try bucket?.configuration()
            configuration.port = 0
            configuration.writeBehindInterval = .milliseconds(50)
            configure(&configuration)
            // The application owns the store once built; if building fails, closing it is ours to do.
            let built = Result {
                try buildApplication(
                    configuration: configuration, database: prepared.database, logger: logger, inspectRoutes: inspectRoutes)
            }
            guard case .success(let app) = built else {
                await prepared.database.close()
                _ = try built.get()
                return
            }
            let testApp = TestApp(
                store: store, database: prepared.database, adminKey: adminKey, logs: logs, bucket: bucket)
            try await app.test(mode) { client in try await body(client, testApp) }
        } catch {
            await store.cleanup()
            throw error
        }
        await store.cleanup()
    }
}

/// A decoded JSON response. Unchecked: JSONSerialization's trees are never mutated after parsing.
struct JSONReply: @unchecked Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let object: [String: Any]
    let text: String

    subscript(key: String) -> Any? { object[key] }
    func string(_ key: String) -> String? { object[key] as? String }
    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}

extension TestClientProtocol {
    /// Sends a request and decodes the JSON answer (an empty object when the body is not JSON).
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, key: String? = nil, headers: HTTPFields = [:], json: String? = nil
    ) async throws -> JSONReply {
        var fields = headers
        if let key { fields[.authorization] = "Bearer \(key)" }
        let body = json.map { ByteBuffer(string: $0) }
        if body != nil { fields[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: fields, body: body) { response in
            let text = String(buffer: response.body)
            let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            return JSONReply(
                status: response.status, headers: response.headers, object: object, text: text)
        }
    }

    /// Creates a key with the admin key and returns (key, id).
    func createKey(admin: String, _ json: String) async throws -> (key: String, id: String) {
        let reply = try await call(.post, "/api/v1/keys", key: admin, json: json)
        try #require(reply.status == .created, "create failed: \(reply.text)")
        return (try #require(reply.string("api_key")), try #require(reply.string("key_id")))
    }
}

/// Waits for a condition the write-behind recorder makes true, for at most five seconds.
func eventually(_ condition: @Sendable () async throws -> Bool) async throws {
    for _ in 0..<100 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("condition not met within 5 s")
}
