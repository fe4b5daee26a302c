import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct KeyManagementTests {
    @Test(arguments: TestStoreKind.available)
    func createdKeyIsShownOnceAndDescribedByKeyInfo(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let reply = try await client.call(
                .post, "/api/v1/keys", key: app.adminKey,
                json:
                    #"{"name":"ci","user_id":"bob","email":"b@x.io","environment":"test","scopes":["mlflow:write"],"expires_in_days":30,"rate_limit_per_hour":50,"billing_plan":"pro"}"#
            )
            #expect(reply.status == .created)
            let key = try #require(reply.string("api_key"))
            #expect(key.hasPrefix("hk_test_"))
            let info = try #require(reply["key_info"] as? [String: Any])
            #expect(info["masked_key"] as? String == APIKeyFormat.mask(key))
            #expect(info["user_id"] as? String == "bob")
            #expect(info["service_id"] as? String == "platform")
            #expect(info["environment"] as? String == "test")
            #expect(info["scopes"] as? [String] == ["write"])
            #expect(info["rate_limit_per_hour"] as? Int == 50)
            #expect(info["billing_plan"] as? String == "pro")
            #expect(info["expires_at"] is String)
            #expect(info["revoked_at"] is NSNull && info["last_used_at"] is NSNull)
            let id = try #require(info["id"] as? String)
            let shown = try await client.call(.get, "/api/v1/keys/\(id)", key: app.adminKey)
            #expect(shown.status == .ok)
            #expect(!shown.text.contains(key))
            #expect(shown.string("masked_key") == APIKeyFormat.mask(key))
        }
    }

    @Test(arguments: TestStoreKind.available)
    func nonAdminsSeeAndManageOnlyTheirOwnKeys(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (alice, _) = try await client.createKey(admin: app.adminKey, #"{"name":"a","user_id":"alice"}"#)
            let (_, bobId) = try await client.createKey(admin: app.adminKey, #"{"name":"b","user_id":"bob"}"#)
            let own = try await client.call(.post, "/api/v1/keys", key: alice, json: #"{"name":"a2"}"#)
            #expect(own.status == .created)
            let listed = try await client.call(.get, "/api/v1/keys", key: alice)
            let users = (listed["keys"] as? [[String: Any]] ?? []).compactMap { $0["user_id"] as? String }
            #expect(users == ["alice", "alice"])
            #expect(try await client.call(.get, "/api/v1/keys/\(bobId)", key: alice).status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/keys/\(bobId)", key: alice).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/keys?user_id=bob", key: alice).status == .forbidden)
            let forOther = try await client.call(.post, "/api/v1/keys", key: alice, json: #"{"name":"x","user_id":"bob"}"#)
            #expect(forOther.status == .forbidden)
            let escalate = try await client.call(.post, "/api/v1/keys", key: alice, json: #"{"name":"x","scopes":["admin"]}"#)
            #expect(escalate.status == .forbidden)
            let audit = try await client.call(.get, "/api/v1/audit", key: alice)
            #expect(audit.status == .forbidden)
            #expect(audit.string("error") == "INSUFFICIENT_SCOPE")
            #expect(audit.string("required_scope") == "admin")
            let all = try await client.call(.get, "/api/v1/keys?user_id=bob", key: app.adminKey)
            #expect((all["keys"] as? [Any])?.count == 1)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func rotationIssuesAReplacementAndKeepsTheOldKeyForTheGrace(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (old, id) = try await client.createKey(
                admin: app.adminKey, #"{"name":"r","user_id":"alice","scopes":["read"],"rate_limit_per_hour":77}"#)
            let rotated = try await client.call(.post, "/api/v1/keys/\(id)/rotate", key: old, json: #"{"grace_seconds":3600}"#)
            #expect(rotated.status == .ok)
            let new = try #require(rotated.string("api_key"))
            let info = try #require(rotated["key_info"] as? [String: Any])
            #expect(info["rate_limit_per_hour"] as? Int == 77)
            #expect(info["scopes"] as? [String] == ["read"])
            #expect(info["rotated_from"] as? String == id)
            let previous = try #require(rotated["previous_key"] as? [String: Any])
            #expect(previous["revoked_at"] is String)
            #expect(try await client.call(.get, "/api/v1/keys", key: new).status == .ok)
            #expect(try await client.call(.get, "/api/v1/keys", key: old).status == .ok)
            let again = try await client.call(.post, "/api/v1/keys/\(id)/rotate", key: app.adminKey)
            #expect(again.status == .conflict)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func rotationWithoutGraceRevokesTheOldKeyAtOnce(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (old, id) = try await client.createKey(admin: app.adminKey, #"{"name":"r","user_id":"alice"}"#)
            let rotated = try await client.call(
                .post, "/api/v1/keys/\(id)/rotate", key: app.adminKey, json: #"{"grace_seconds":0}"#)
            let new = try #require(rotated.string("api_key"))
            let refused = try await client.call(.get, "/api/v1/keys", key: old)
            #expect(refused.string("error") == "REVOKED")
            #expect(refused.string("message")?.contains("rotated") == true)
            #expect(try await client.call(.get, "/api/v1/keys", key: new).status == .ok)
            let (_, other) = try await client.createKey(admin: app.adminKey, #"{"name":"g","user_id":"alice"}"#)
            let badGrace = try await client.call(
                .post, "/api/v1/keys/\(other)/rotate", key: app.adminKey, json: #"{"grace_seconds":-5}"#)
            #expect(badGrace.status == .badRequest && badGrace.string("field") == "grace_seconds")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func listingFiltersAndPages(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            for index in 0..<5 {
                _ = try await client.createKey(
                    admin: app.adminKey, #"{"name":"k\#(index)","user_id":"carol","service_id":"website"}"#)
            }
            let first = try await client.call(.get, "/api/v1/keys?user_id=carol&limit=2", key: app.adminKey)
            #expect((first["keys"] as? [Any])?.count == 2)
            var token = try #require(first.string("next_page_token"))
            var seen = 2
            while true {
                let page = try await client.call(
                    .get, "/api/v1/keys?user_id=carol&limit=2&page_token=\(token)", key: app.adminKey)
                seen += (page["keys"] as? [Any])?.count ?? 0
                guard let next = page.string("next_page_token") else { break }
                token = next
            }
            #expect(seen == 5)
            let website = try await client.call(.get, "/api/v1/keys?service_id=website", key: app.adminKey)
            #expect((website["keys"] as? [Any])?.count == 5)
            let badToken = try await client.call(.get, "/api/v1/keys?page_token=garbage", key: app.adminKey)
            #expect(badToken.status == .badRequest && badToken.string("field") == "page_token")
            let badLimit = try await client.call(.get, "/api/v1/keys?limit=0", key: app.adminKey)
            #expect(badLimit.status == .badRequest && badLimit.string("field") == "limit")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func invalidCreationNamesTheField(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let reply = try await client.call(
                .post, "/api/v1/keys", key: app.adminKey, json: #"{"name":"x","rate_limit_per_hour":5}"#)
            #expect(reply.status == .badRequest)
            #expect(reply.string("field") == "rate_limit_per_hour")
            #expect(reply.string("message")?.contains("between 10 and 100000") == true)
            let count = try await app.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM api_keys").first()?.decode(column: "n", as: Int.self)
            }
            #expect(count == 1)
        }
    }
}
