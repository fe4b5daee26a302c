import Foundation
import HTTPTypes
import HokusaiCore
import HokusaiServer
import HokusaiStore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ProbeTests {
    @Test(arguments: TestStoreKind.available)
    func healthReportsVersionAndReadyRunsRealChecks(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, _ in
            let health = try await client.call(.get, "/health")
            #expect(health.string("status") == "healthy")
            #expect(health.string("version") == HokusaiVersion.current)
            #expect(try await client.call(.get, "/api/health").string("version") == HokusaiVersion.current)
            let ready = try await client.call(.get, "/ready")
            #expect(ready.status == .ok)
            #expect(ready["ready"] as? Bool == true)
            let names = (ready["checks"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            // On PostgreSQL the replica also says whether it hears other replicas' key changes.
            #expect(names == (kind == .postgres ? ["store", "migrations", "key_changes"] : ["store", "migrations"]))
            #expect(try await client.call(.get, "/live")["alive"] as? Bool == true)
            #expect(try await client.call(.get, "/version").string("api_version") == "v1")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func readyFailsWhenTheSchemaIsBehind(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            try await app.database.transaction { db in try await db.raw("DELETE FROM hokusai_migrations").run() }
            let ready = try await client.call(.get, "/ready")
            #expect(ready.status == .serviceUnavailable)
            let migrations = (ready["checks"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "migrations" }
            #expect(migrations?["passed"] as? Bool == false)
            #expect((migrations?["detail"] as? String)?.contains("hokusai migrate") == true)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func metricsCountRoutesByPatternAndAuthOutcomesByCode(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (_, id) = try await client.createKey(admin: app.adminKey, #"{"name":"m","user_id":"alice"}"#)
            _ = try await client.call(.get, "/api/v1/keys/\(id)", key: app.adminKey)
            _ = try await client.call(.get, "/api/v1/keys")
            _ = try await client.call(.get, "/api/v1/keys", key: APIKeyFormat.generate(environment: .production))
            _ = try await client.call(HTTPRequest.Method("BREW")!, "/api/v1/keys", key: app.adminKey)
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(text.contains(#"method="OTHER""#))
            #expect(!text.contains("BREW"))
            #expect(text.contains(#"hokusai_http_requests_total{method="GET",route="/api/v1/keys/{id}",status="200"} 1"#))
            #expect(text.contains(#"hokusai_auth_outcomes_total{code="MISSING"} 1"#))
            // Refused before routing, still counted under its route's pattern.
            #expect(text.contains(#"hokusai_http_requests_total{method="GET",route="/api/v1/keys",status="401"} 2"#))
            #expect(text.contains(#"hokusai_auth_outcomes_total{code="NOT_FOUND"} 1"#))
            #expect(text.contains(#"hokusai_auth_outcomes_total{code="VALID"}"#))
            #expect(text.contains("hokusai_http_request_duration_seconds_bucket"))
            // One histogram per method and route, whatever the statuses: the two 401s above.
            #expect(text.contains(#"hokusai_http_request_duration_seconds_count{method="GET",route="/api/v1/keys"} 2"#))
            #expect(!text.contains(id))
            #expect(!text.contains("hk_live_"))
        }
    }
}
