import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// Keys minted by non-admin keys: they expire no later than their creator, die with it, and draw
/// on its hourly budget, so minting keys never multiplies what a key was granted.
@Suite struct KeyChainTests {
    @Test(arguments: TestStoreKind.available)
    func aKeyMadeByAShortLivedKeyExpiresWithIt(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (parent, _) = try await client.createKey(
                admin: app.adminKey, #"{"name":"one day","user_id":"bob","expires_in_days":1}"#)
            let parentInfo = try await client.call(.get, "/api/v1/keys?limit=1", key: parent)
            let parentExpiry = try #require((parentInfo["keys"] as? [[String: Any]])?.first?["expires_at"] as? String)
            for body in [#"{"name":"forever"}"#, #"{"name":"month","expires_in_days":30}"#] {
                let child = try await client.call(.post, "/api/v1/keys", key: parent, json: body)
                #expect(child.status == .created)
                let info = try #require(child["key_info"] as? [String: Any])
                #expect(info["expires_at"] as? String == parentExpiry)
                #expect(info["parent_key_id"] as? String != nil)
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func revokingAKeyRevokesEveryKeyItMadeDownTheChain(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (parent, parentId) = try await client.createKey(
                admin: app.adminKey, #"{"name":"p","user_id":"bob","expires_in_days":1}"#)
            let child = try #require(
                try await client.call(.post, "/api/v1/keys", key: parent, json: #"{"name":"c"}"#).string("api_key"))
            let grandchild = try #require(
                try await client.call(.post, "/api/v1/keys", key: child, json: #"{"name":"g"}"#).string("api_key"))
            let (unrelated, _) = try await client.createKey(admin: app.adminKey, #"{"name":"u","user_id":"bob"}"#)
            #expect(try await client.call(.get, "/api/v1/keys", key: grandchild).status == .ok)

            let revoked = try await client.call(.delete, "/api/v1/keys/\(parentId)", key: app.adminKey)
            #expect(revoked.status == .ok)
            #expect((revoked["revoked_with_it"] as? [String])?.count == 2)
            for key in [parent, child, grandchild] {
                #expect(try await client.call(.get, "/api/v1/keys", key: key).string("error") == "REVOKED")
            }
            #expect(try await client.call(.get, "/api/v1/keys", key: unrelated).status == .ok)
            let audit = try await client.call(.get, "/api/v1/audit?event=key.revoked", key: app.adminKey)
            #expect((audit["events"] as? [Any])?.count == 3)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func keysMadeByAKeyShareItsHourlyBudget(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (parent, parentId) = try await client.createKey(
                admin: app.adminKey, #"{"name":"p","user_id":"bob","rate_limit_per_hour":10}"#)
            var children: [String] = []
            for index in 0..<5 {
                let made = try await client.call(
                    .post, "/api/v1/keys", key: parent, json: #"{"name":"c\#(index)","rate_limit_per_hour":10}"#)
                let info = try #require(made["key_info"] as? [String: Any])
                #expect(info["budget_key_id"] as? String == parentId)
                children.append(try #require(made.string("api_key")))
            }
            // The parent made 5 requests; the chain has 5 left this hour, whichever key makes them.
            var accepted = 0
            for round in 0..<4 {
                for key in children {
                    let reply = try await client.call(.get, "/api/v1/keys", key: key)
                    if reply.status == .ok {
                        accepted += 1
                    } else {
                        #expect(reply.status == .tooManyRequests, "round \(round)")
                        #expect(reply.string("message")?.contains(parentId) == true)
                    }
                }
            }
            #expect(accepted == 5)
            #expect(try await client.call(.get, "/api/v1/keys", key: parent).status == .tooManyRequests)
            #expect(try await client.call(.get, "/api/v1/keys", key: app.adminKey).status == .ok)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func rotationHandsTheChainToTheNewKey(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (parent, parentId) = try await client.createKey(
                admin: app.adminKey, #"{"name":"p","user_id":"bob","rate_limit_per_hour":50}"#)
            let child = try #require(
                try await client.call(.post, "/api/v1/keys", key: parent, json: #"{"name":"c"}"#).string("api_key"))
            let rotated = try await client.call(
                .post, "/api/v1/keys/\(parentId)/rotate", key: app.adminKey, json: #"{"grace_seconds":0}"#)
            let newId = try #require(rotated.string("key_id"))
            let listed = try await client.call(.get, "/api/v1/keys?active_only=true", key: child)
            let childInfo = try #require(
                (listed["keys"] as? [[String: Any]])?.first { $0["name"] as? String == "c" })
            #expect(childInfo["parent_key_id"] as? String == newId)
            #expect(childInfo["budget_key_id"] as? String == newId)
            // The old key's revocation is not its children's: they now belong to the new key.
            #expect(try await client.call(.get, "/api/v1/keys", key: parent).string("error") == "REVOKED")
            #expect(try await client.call(.delete, "/api/v1/keys/\(newId)", key: app.adminKey).status == .ok)
            #expect(try await client.call(.get, "/api/v1/keys", key: child).string("error") == "REVOKED")
        }
    }
}
