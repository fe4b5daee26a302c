import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct RateLimitTests {
    @Test(arguments: TestStoreKind.available)
    func keyPastItsHourlyLimitGets429WithRetryAfter(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (key, _) = try await client.createKey(
                admin: app.adminKey, #"{"name":"small","user_id":"alice","rate_limit_per_hour":10}"#)
            for request in 1...10 {
                let reply = try await client.call(.get, "/api/v1/keys", key: key)
                #expect(reply.status == .ok)
                #expect(reply.header("X-RateLimit-Remaining") == String(10 - request))
            }
            let refused = try await client.call(.get, "/api/v1/keys", key: key)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.string("error") == "RATE_LIMITED")
            #expect(refused.string("detail") == "Rate limit exceeded")
            #expect(refused.header("X-RateLimit-Remaining") == "0")
            #expect(refused.header("X-RateLimit-Limit") == "10")
            let retryAfter = try #require(refused.header("Retry-After").flatMap(Int.init))
            #expect((1...3600).contains(retryAfter))
            let reset = try #require(refused.header("X-RateLimit-Reset").flatMap(Int64.init))
            #expect(reset % 3600 == 0)
            // Other keys are unaffected.
            #expect(try await client.call(.get, "/api/v1/keys", key: app.adminKey).status == .ok)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func rateLimitHeadersAreOnAuthenticatedErrorsToo(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let reply = try await client.call(.get, "/api/v1/keys/key_missing", key: app.adminKey)
            #expect(reply.status == .notFound)
            #expect(reply.header("X-RateLimit-Limit") != nil)
            #expect(reply.header("X-RateLimit-Remaining") != nil)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func failedAttemptsAreLimitedPerAddress(kind: TestStoreKind) async throws {
        try await TestApp.run(kind, configure: { $0.failedAttemptLimit = 3 }) { client, app in
            for _ in 1...3 {
                let guess = APIKeyFormat.generate(environment: .production)
                #expect(try await client.call(.get, "/api/v1/keys", key: guess).string("error") == "NOT_FOUND")
            }
            let blocked = try await client.call(.get, "/api/v1/keys", key: APIKeyFormat.generate(environment: .production))
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.string("error") == "TOO_MANY_FAILED_ATTEMPTS")
            #expect(blocked.header("Retry-After") != nil)
            // A valid key from the blocked address still works: the block answers failures only.
            #expect(try await client.call(.get, "/api/v1/keys", key: app.adminKey).status == .ok)
            // Every failed check is answered as the block, so guessing learns nothing from it.
            let malformed = try await client.call(.get, "/api/v1/keys", key: "hk_live_nope")
            #expect(malformed.string("error") == "TOO_MANY_FAILED_ATTEMPTS")
            let (revoked, revokedId) = try await client.createKey(admin: app.adminKey, #"{"name":"r","user_id":"x"}"#)
            _ = try await client.call(.delete, "/api/v1/keys/\(revokedId)", key: app.adminKey)
            #expect(try await client.call(.get, "/api/v1/keys", key: revoked).string("error") == "TOO_MANY_FAILED_ATTEMPTS")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func missingKeysDoNotCountAsGuesses(kind: TestStoreKind) async throws {
        try await TestApp.run(kind, configure: { $0.failedAttemptLimit = 2 }) { client, app in
            for _ in 1...5 { _ = try await client.call(.get, "/api/v1/keys") }
            #expect(try await client.call(.get, "/api/v1/keys", key: app.adminKey).status == .ok)
        }
    }
}
