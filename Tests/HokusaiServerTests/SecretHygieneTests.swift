import Foundation
import HTTPTypes
import HokusaiCore
import HokusaiStore
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing

/// A key is shown once, at creation, and never again: not in a log line at any level, not in the
/// database, not in an error, not in a metric.
@Suite struct SecretHygieneTests {
    @Test(arguments: TestStoreKind.available)
    func keysAppearNowhereInLogsOrStore(kind: TestStoreKind) async throws {
        let seen = SeenKeys()
        let logs = LogCapture()
        try await TestApp.run(kind, mode: .live, logs: logs) { client, app in
            await seen.add(app.adminKey)
            let (key, id) = try await client.createKey(admin: app.adminKey, #"{"name":"h","user_id":"alice"}"#)
            await seen.add(key)
            let guess = APIKeyFormat.generate(environment: .production)
            await seen.add(guess)
            let basic = Data("u:\(key)".utf8).base64EncodedString()
            _ = try await client.call(.get, "/api/v1/keys", headers: [.authorization: "Basic \(basic)"])
            _ = try await client.call(.get, "/api/v1/keys?api_key=\(key)")
            _ = try await client.call(.get, "/api/v1/keys", headers: [HTTPField.Name("X-Request-ID")!: key])
            _ = try await client.call(.get, "/api/v1/keys", key: guess)
            _ = try await client.call(.post, "/api/v1/keys/validate", json: #"{"api_key":"\#(key)"}"#)
            _ = try await client.call(.post, "/api/v1/keys/validate", json: #"{"api_key":"\#(guess)"}"#)
            let rotated = try await client.call(
                .post, "/api/v1/keys/\(id)/rotate", key: app.adminKey, json: #"{"grace_seconds":0}"#)
            await seen.add(try #require(rotated.string("api_key")))
            _ = try await client.call(.get, "/api/v1/keys", key: key)
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            let audit = try await client.call(.get, "/api/v1/audit?limit=1000", key: app.adminKey).text
            try await eventually { try await storeText(app).contains("auth.failed") }

            let stored = try await storeText(app)
            for secret in await seen.keys {
                #expect(!metrics.contains(secret))
                #expect(!audit.contains(secret))
                #expect(!stored.contains(secret))
            }
            if let path = app.store.sqlitePath {
                var bytes = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
                bytes.append((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
                #expect(bytes.count > 0)
                for secret in await seen.keys {
                    #expect(bytes.range(of: Data(secret.utf8)) == nil, "key found in the SQLite file")
                }
            }
            #expect(app.logs.text.contains("request"), "the access log was captured")
        }
        // Checked after shutdown, so the last write-behind flush and the store closing are included.
        let text = logs.text
        #expect(text.count > 1000)
        for secret in await seen.keys {
            #expect(!text.contains(secret), "a key appears in the logs")
        }
    }

    /// Every text column of every row, as the database holds it.
    func storeText(_ app: TestApp) async throws -> String {
        try await app.database.read { db in
            var text = ""
            for table in ["api_keys", "audit_events"] {
                for row in try await db.raw("SELECT * FROM \(ident: table)").all() {
                    for column in row.allColumns {
                        if let value = try? row.decode(column: column, as: String?.self) { text += value + "\n" }
                    }
                }
            }
            return text
        }
    }
}

/// Keys a test has seen, to look for afterwards.
actor SeenKeys {
    private(set) var keys: [String] = []

    func add(_ key: String) { keys.append(key) }
}

/// A key typed into a URL path or a JSON field is masked wherever the server repeats it.
@Suite struct KeyInPathTests {
    @Test(arguments: TestStoreKind.available)
    func aKeyInThePathIsNeitherEchoedNorLogged(kind: TestStoreKind) async throws {
        let logs = LogCapture()
        let seen = SeenKeys()
        try await TestApp.run(kind, mode: .live, logs: logs) { client, app in
            let (key, _) = try await client.createKey(admin: app.adminKey, #"{"name":"p","user_id":"alice"}"#)
            await seen.add(key)
            let escaped = key.replacingOccurrences(of: "_", with: "%5F")
            let replies = [
                try await client.call(.get, "/api/v1/keys/\(key)", key: app.adminKey),
                try await client.call(.get, "/nonexistent/\(key)", key: app.adminKey),
                try await client.call(.get, "/nonexistent/\(escaped)", key: app.adminKey),
                try await client.mlflow(.post, "runs/delete", key: app.adminKey, json: #"{"run_id":"\#(key)"}"#),
            ]
            for reply in replies {
                #expect(reply.status.code >= 400)
                #expect(!reply.text.contains(key) && !reply.text.contains(escaped), "\(reply.text)")
                #expect(reply.text.contains(APIKeyFormat.mask(key)), "\(reply.text)")
            }
        }
        let text = logs.text
        #expect(text.contains("/nonexistent/"), "the access log was captured")
        for key in await seen.keys {
            #expect(!text.contains(key) && !text.contains(key.replacingOccurrences(of: "_", with: "%5F")))
        }
    }
}
