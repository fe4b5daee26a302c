import Foundation
import HTTPTypes
import HokusaiCore
import HokusaiStore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AuditAndUsageTests {
    @Test(arguments: TestStoreKind.available)
    func keyEventsAndFailuresAreAuditedWithTheClientAddress(kind: TestStoreKind) async throws {
        try await TestApp.run(kind, mode: .live) { client, app in
            let (key, id) = try await client.createKey(admin: app.adminKey, #"{"name":"a","user_id":"alice"}"#)
            _ = try await client.call(.post, "/api/v1/keys/\(id)/rotate", key: app.adminKey, json: #"{"grace_seconds":0}"#)
            _ = try await client.call(.get, "/api/v1/keys", key: key)
            _ = try await client.call(.get, "/api/v1/keys", key: APIKeyFormat.generate(environment: .production))
            try await eventually {
                let reply = try await client.call(.get, "/api/v1/audit?event=auth.failed", key: app.adminKey)
                return (reply["events"] as? [Any])?.count == 2
            }
            let failures = try await client.call(.get, "/api/v1/audit?event=auth.failed", key: app.adminKey)
            let events = try #require(failures["events"] as? [[String: Any]])
            let codes = Set(events.compactMap { $0["code"] as? String })
            #expect(codes == ["REVOKED", "NOT_FOUND"])
            #expect(events.allSatisfy { $0["client_ip"] as? String == "127.0.0.1" })
            #expect(events.contains { $0["key_id"] as? String == id })
            let all = try await client.call(.get, "/api/v1/audit?key_id=\(id)", key: app.adminKey)
            let kinds = (all["events"] as? [[String: Any]] ?? []).compactMap { $0["event"] as? String }
            #expect(kinds.contains("key.created") && kinds.contains("key.rotated") && kinds.contains("auth.failed"))
            let created = try await client.call(.get, "/api/v1/audit?event=key.created&user_id=alice", key: app.adminKey)
            #expect((created["events"] as? [Any])?.count == 2)  // the key and its replacement
            #expect(!all.text.contains(key) && !failures.text.contains(app.adminKey))
            let badEvent = try await client.call(.get, "/api/v1/audit?event=nope", key: app.adminKey)
            #expect(badEvent.status == .badRequest && badEvent.string("field") == "event")
        }
    }

    @Test func aValidKeyUsedBeyondItsScopeIsAudited() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let (reader, id) = try await client.createKey(
                admin: app.adminKey, #"{"name":"r","user_id":"bob","scopes":["read"]}"#)
            let refused = try await client.mlflow(.post, "experiments/create", key: reader, json: #"{"name":"nope"}"#)
            #expect(refused.status == .forbidden)
            try await eventually {
                let reply = try await client.call(
                    .get, "/api/v1/audit?event=auth.failed&code=INSUFFICIENT_SCOPE", key: app.adminKey)
                return (reply["events"] as? [[String: Any]])?.first?["key_id"] as? String == id
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func lastUsedIsWrittenBehind(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (key, id) = try await client.createKey(admin: app.adminKey, #"{"name":"u","user_id":"alice"}"#)
            let before = try await client.call(.get, "/api/v1/keys/\(id)", key: app.adminKey)
            #expect(before["last_used_at"] is NSNull)
            _ = try await client.call(.get, "/api/v1/keys", key: key)
            try await eventually {
                try await client.call(.get, "/api/v1/keys/\(id)", key: app.adminKey).string("last_used_at") != nil
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func lastUsedIsNotWrittenOnTheRequestPath(kind: TestStoreKind) async throws {
        try await TestApp.run(kind, configure: { $0.writeBehindInterval = .seconds(3600) }) { client, app in
            let (key, id) = try await client.createKey(admin: app.adminKey, #"{"name":"u","user_id":"alice"}"#)
            _ = try await client.call(.get, "/api/v1/keys", key: key)
            let stored = try await app.database.read { db in
                try await KeyRepository().find(id: id, on: db)
            }
            #expect(stored?.lastUsedAt == nil)
        }
    }
}
