import Foundation
import HTTPTypes
import HokusaiCore
import HokusaiStore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct GatewayTests {
    @Test(arguments: TestStoreKind.available)
    func requestWithoutKeyGets401WithTheReferenceDetail(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, _ in
            let reply = try await client.call(.get, "/api/v1/keys")
            #expect(reply.status == .unauthorized)
            #expect(reply.string("detail") == "API key required")
            #expect(reply.string("error") == "MISSING")
            #expect(reply.string("request_id")?.isEmpty == false)
            #expect(reply.header("X-Request-ID") == reply.string("request_id"))
        }
    }

    @Test(arguments: TestStoreKind.available)
    func keyIsAcceptedInEveryPlacement(kind: TestStoreKind) async throws {
        try await TestApp.run(kind, mode: .live) { client, app in
            let (key, _) = try await client.createKey(admin: app.adminKey, #"{"name":"placements","user_id":"alice"}"#)
            let basic = Data("mlflow:\(key)".utf8).base64EncodedString()
            let placements: [(String, String)] = [
                ("Authorization", "Bearer \(key)"), ("Authorization", "bearer \(key)"), ("Authorization", "ApiKey \(key)"),
                ("X-API-Key", key), ("Authorization", "Basic \(basic)"),
            ]
            for (name, value) in placements {
                let reply = try await client.call(.get, "/api/v1/keys", headers: [HTTPField.Name(name)!: value])
                #expect(reply.status == .ok, "\(name): \(value.prefix(8))…")
                #expect(reply.header("X-RateLimit-Limit") == "1000")
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func oneChangedCharacterIsMalformed(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            var characters = Array(app.adminKey)
            characters[12] = characters[12] == "a" ? "b" : "a"
            let reply = try await client.call(.get, "/api/v1/keys", key: String(characters))
            #expect(reply.status == .unauthorized)
            #expect(reply.string("error") == "MALFORMED")
            #expect(reply.string("detail") == "Invalid or expired API key")
            #expect(reply.string("message")?.contains("checksum") == true)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func wellFormedUnknownKeyIsNotFound(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, _ in
            let stranger = APIKeyFormat.generate(environment: .production)
            let reply = try await client.call(.get, "/api/v1/keys", key: stranger)
            #expect(reply.status == .unauthorized)
            #expect(reply.string("error") == "NOT_FOUND")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func revokedKeyIsRefusedAsRevoked(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (key, id) = try await client.createKey(admin: app.adminKey, #"{"name":"r","user_id":"alice"}"#)
            #expect(try await client.call(.get, "/api/v1/keys", key: key).status == .ok)
            #expect(try await client.call(.delete, "/api/v1/keys/\(id)", key: app.adminKey).status == .ok)
            let reply = try await client.call(.get, "/api/v1/keys", key: key)
            #expect(reply.status == .unauthorized)
            #expect(reply.string("error") == "REVOKED")
            #expect(reply.string("message")?.contains("revoked at") == true)
        }
    }

    /// Found keys are kept for a moment (no store query per request); a revocation made by another
    /// process (a replica, the CLI on the store) is honoured once that moment has passed.
    @Test func aKeyRevokedElsewhereStopsWorkingWithinTheCacheLifetime() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let (key, id) = try await client.createKey(admin: app.adminKey, #"{"name":"r","user_id":"alice"}"#)
            #expect(try await client.call(.get, "/api/v1/keys", key: key).status == .ok)
            let elsewhere = KeyService(database: app.database)
            _ = try await elsewhere.revoke(id: id, origin: ActionOrigin(actorKeyId: nil, clientIP: nil, requestId: nil))
            try await Task.sleep(for: .milliseconds(2_300))  // KeyRecordCache.lifetimeMillis (2 s) and a margin
            let reply = try await client.call(.get, "/api/v1/keys", key: key)
            #expect(reply.status == .unauthorized && reply.string("error") == "REVOKED")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func expiredKeyIsRefusedAsExpired(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (key, id) = try await client.createKey(
                admin: app.adminKey, #"{"name":"e","user_id":"alice","expires_in_days":1}"#)
            try await app.database.transaction { db in
                try await db.raw("UPDATE api_keys SET expires_at = \(bind: Timestamp.nowMillis() - 1000) WHERE id = \(bind: id)")
                    .run()
            }
            let reply = try await client.call(.get, "/api/v1/keys", key: key)
            #expect(reply.status == .unauthorized)
            #expect(reply.string("error") == "EXPIRED")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func keyInTheQueryStringIsRefusedWithAHint(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            // Escaped as a client's URL encoder might: still found once decoded.
            let escaped = app.adminKey.replacingOccurrences(of: "_", with: "%5F")
            for uri in [
                "/api/v1/keys?api_key=\(app.adminKey)", "/api/v1/keys?x=\(app.adminKey)", "/api/v1/keys?x=\(escaped)",
                "/api/v1/keys?api%5Fkey=nothing-like-a-key", "/api/v1/keys?page=1&access_token=abc",
            ] {
                let reply = try await client.call(.get, uri)
                #expect(reply.status == .badRequest)
                #expect(reply.string("error") == "KEY_IN_QUERY_STRING")
                #expect(reply.string("message")?.contains("Authorization: Bearer") == true)
                #expect(!reply.text.contains(app.adminKey))
            }
            // Names that only contain a credential parameter's name are not one.
            let listed = try await client.call(.get, "/api/v1/keys?not_api_key=1&api_keys=2", key: app.adminKey)
            #expect(listed.status == .ok)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func probesAreOpenButOnlyByExactPath(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, _ in
            for path in ["/health", "/api/health", "/live", "/ready", "/version", "/metrics"] {
                let status = try await client.call(.get, path).status
                #expect(status == .ok, "\(path)")
            }
            for path in ["/health/mlflow", "/healthz", "/api/health/mlflow/reset", "/metrics/x"] {
                let status = try await client.call(.get, path).status
                #expect(status == .unauthorized, "\(path)")
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func unknownRoutesAndMethodsAnswerJSON(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let missing = try await client.call(.get, "/api/v1/nothing", key: app.adminKey)
            #expect(missing.status == .notFound)
            #expect(missing.string("error") == "NOT_FOUND")
            let wrongMethod = try await client.call(.put, "/api/v1/keys", key: app.adminKey)
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.header("Allow") == "POST, GET")
            #expect(wrongMethod.string("error") == "METHOD_NOT_ALLOWED")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func mlflowPathsAnswerInMLflowsErrorFormat(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let anonymous = try await client.call(.post, "/api/mlflow/api/2.0/mlflow/runs/create")
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.string("error_code") == "UNAUTHENTICATED")
            #expect(anonymous.string("message")?.contains("API key required") == true)
            let missing = try await client.call(.get, "/ajax-api/2.0/mlflow/nothing", key: app.adminKey)
            #expect(missing.status == .notFound)
            #expect(missing.string("error_code") == "ENDPOINT_NOT_FOUND")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func clientRequestIdIsEchoedOnlyWhenPlain(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let echoed = try await client.call(.get, "/health", headers: [HTTPField.Name("X-Request-ID")!: "trace-42.a:b"])
            #expect(echoed.header("X-Request-ID") == "trace-42.a:b")
            let replaced = try await client.call(.get, "/health", headers: [HTTPField.Name("X-Request-ID")!: app.adminKey])
            #expect(replaced.header("X-Request-ID")?.hasPrefix("req_") == true)
            let fresh = try await client.call(.get, "/health")
            #expect(fresh.header("X-Request-ID")?.hasPrefix("req_") == true)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func malformedJSONIsA400NamingTheProblem(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let broken = try await client.call(.post, "/api/v1/keys", key: app.adminKey, json: #"{"name": "#)
            #expect(broken.status == .badRequest)
            #expect(broken.string("error") == "INVALID_JSON")
            let wrongType = try await client.call(
                .post, "/api/v1/keys", key: app.adminKey, json: #"{"name": "k", "rate_limit_per_hour": "lots"}"#)
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.string("message") == "Field 'rate_limit_per_hour' must be an integer")
            let notObject = try await client.call(.post, "/api/v1/keys", key: app.adminKey, json: "[1]")
            #expect(notObject.status == .badRequest)
        }
    }
}

@Suite struct StoreOutageTests {
    @Test(arguments: TestStoreKind.available)
    func aStoreOutageIsA503NeverABadKey(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            await app.database.close()
            let reply = try await client.call(.get, "/api/v1/keys", key: app.adminKey)
            #expect(reply.status == .serviceUnavailable)
            #expect(reply.string("error") == "AUTH_UNAVAILABLE")
            #expect(reply.string("detail") == "Authentication service unavailable")
            #expect(reply.header("Retry-After") == "1")
            let mlflow = try await client.call(.get, "/api/2.0/mlflow/experiments/search", key: app.adminKey)
            #expect(mlflow.status == .serviceUnavailable)
            #expect(mlflow.string("error_code") == "TEMPORARILY_UNAVAILABLE")
            let ready = try await client.call(.get, "/ready")
            #expect(ready.status == .serviceUnavailable)
        }
    }
}
