import HokusaiCore
import Testing

@testable import HokusaiServer

/// `/console`: a signed-in browser reads its keys, masked, by the API's rules (own keys; an
/// admin's: everyone's), and no key is ever written into the page.
@Suite struct ConsoleKeysPageTests {
    @Test(arguments: TestStoreKind.allCases)
    func aUserSeesTheirOwnKeysMaskedAndAnAdminSeesEveryones(_ kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (alice, _) = try await client.createKey(admin: app.adminKey, #"{"name":"alice-laptop","user_id":"alice"}"#)
            let (aliceReader, readerId) = try await client.createKey(
                admin: app.adminKey, #"{"name":"alice-ci","user_id":"alice","scopes":["read"]}"#)
            let (bob, _) = try await client.createKey(admin: app.adminKey, #"{"name":"bob-laptop","user_id":"bob"}"#)
            _ = try await client.call(.delete, "/api/v1/keys/\(readerId)", key: app.adminKey)

            let cookie = try #require(try await client.signIn(key: alice, next: "/console").cookie)
            let page = try await client.call(.get, "/console", headers: [.cookie: cookie])
            #expect(page.status == .ok)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.text.contains("alice-laptop (this session's)"))
            #expect(page.text.contains("alice-ci") && page.text.contains("revoked"), "a revoked key is listed as revoked")
            #expect(page.text.contains(APIKeyFormat.mask(alice)))
            #expect(!page.text.contains("bob-laptop"), "another user's keys are not listed")
            for key in [alice, aliceReader, bob, app.adminKey] {
                #expect(!page.text.contains(key), "no key is written into the page")
            }

            let admin = try await client.call(.get, "/console", key: app.adminKey)
            #expect(admin.status == .ok)
            #expect(admin.text.contains("bob-laptop") && admin.text.contains("alice-laptop"))
            #expect(admin.text.contains("every user's keys are listed"))
        }
    }

    @Test func withoutAKeyABrowserIsSentToSignIn() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let anonymous = try await client.call(.get, "/console")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.header("Location") == "/signin?next=/console")
        }
    }
}
