import Foundation
import HokusaiCore
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import HokusaiServer
@testable import HokusaiStore

/// On PostgreSQL, a key changed by another process (a replica, `hokusai keys` on the store) stops
/// being served from this process's cache as soon as the change commits: LISTEN/NOTIFY through
/// `M010_KeyChangeNotifications` and `KeyChangeListener`, not the cache's lifetime. Every test
/// here sets that lifetime to ten minutes, so only a notification can explain a prompt refusal.
@Suite(.enabled(if: TestStoreKind.available.contains(.postgres)))
struct KeyChangeNotificationTests {
    static let tenMinutes: Int64 = 600_000
    static let origin = ActionOrigin(actorKeyId: nil, clientIP: nil, requestId: nil)

    /// Another connection pool on the same schema: what a second replica or the CLI would hold.
    static func elsewhere(_ app: TestApp) async throws -> any Database {
        try await app.store.location.open(logger: Logger(label: "elsewhere"))
    }

    /// Waits, a bounded number of times, until `condition` holds.
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Ends this store's listening connections from the server side, as a restart or a proxy would.
    /// Only this test's schema: other tests' listeners running at the same time are left alone.
    static func killListeners(of app: TestApp) async throws {
        guard case .postgres(let url) = app.store.location else { return }
        let name = PostgresStoreDatabase.listenerName(schema: url.schema)
        try await app.database.read { db in
            try await db.raw(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \(bind: name)"
            ).run()
        }
    }

    /// `/ready`'s `key_changes` check has passed: the app hears other processes' changes.
    static func listening(_ client: some TestClientProtocol) async throws -> Bool {
        let reply = try await client.call(.get, "/ready", key: nil)
        let checks = reply["checks"] as? [[String: Any]] ?? []
        return checks.contains { $0["name"] as? String == "key_changes" && $0["passed"] as? Bool == true }
    }

    @Test func aKeyRevokedByAnotherProcessIsRefusedAtOnce() async throws {
        try await TestApp.run(.postgres, configure: { $0.keyCacheMillis = Self.tenMinutes }) { client, app in
            let (key, id) = try await client.createKey(admin: app.adminKey, #"{"name":"r","user_id":"alice"}"#)
            #expect(try await client.call(.get, "/api/v1/keys", key: key).status == .ok)  // now cached
            #expect(try await Self.eventually { try await Self.listening(client) })
            let other = try await Self.elsewhere(app)
            _ = try await KeyService(database: other).revoke(id: id, origin: Self.origin)
            await other.close()
            let refused = try await Self.eventually {
                try await client.call(.get, "/api/v1/keys", key: key).status == .unauthorized
            }
            #expect(refused, "the revocation reached this process's cache long before its ten-minute lifetime")
        }
    }

    @Test func aRotationByAnotherProcessEndsTheOldKeyAtOnce() async throws {
        try await TestApp.run(.postgres, configure: { $0.keyCacheMillis = Self.tenMinutes }) { client, app in
            let (key, id) = try await client.createKey(admin: app.adminKey, #"{"name":"r","user_id":"alice"}"#)
            #expect(try await client.call(.get, "/api/v1/keys", key: key).status == .ok)
            #expect(try await Self.eventually { try await Self.listening(client) })
            let other = try await Self.elsewhere(app)
            _ = try await KeyService(database: other).rotate(id: id, graceSeconds: 0, origin: Self.origin)
            await other.close()
            let refused = try await Self.eventually {
                try await client.call(.get, "/api/v1/keys", key: key).status == .unauthorized
            }
            #expect(refused)
        }
    }

    /// The channel is cut (the server restarted, a proxy dropped the connection): the listener
    /// comes back by itself, clears what it cached meanwhile, and notifications flow again.
    @Test func theListenerReconnectsAfterItsConnectionIsKilled() async throws {
        try await TestApp.run(.postgres) { _, app in
            let database = try await Self.elsewhere(app)
            let feed = try #require(database as? any KeyChangeFeed)
            let cache = KeyRecordCache(lifetimeMillis: Self.tenMinutes)
            let status = KeyChangeStatus()
            let listener = Task {
                try await KeyChangeListener(feed: feed, cache: cache, status: status, logger: Logger(label: "test")).run()
            }
            defer { listener.cancel() }
            let keys = KeyService(database: app.database)
            let first = try await keys.issue(Self.settings, origin: Self.origin)
            let second = try await keys.issue(Self.settings, origin: Self.origin)
            let now = Timestamp.nowMillis()

            #expect(try await Self.eventually { status.snapshot.sessions == 1 })
            try await Task.sleep(for: .milliseconds(200))  // past the flush the listener does once listening
            cache.remember(first.record, hash: "first", now: now)
            #expect(cache.record(hash: "first", now: now) != nil)
            _ = try await keys.revoke(id: first.record.id, origin: Self.origin)
            #expect(try await Self.eventually { cache.record(hash: "first", now: now) == nil })

            try await Self.killListeners(of: app)
            #expect(try await Self.eventually { status.snapshot.sessions == 2 && status.snapshot.listening }, "listening again")
            try await Task.sleep(for: .milliseconds(200))
            cache.remember(second.record, hash: "second", now: now)
            #expect(cache.record(hash: "second", now: now) != nil)
            _ = try await keys.revoke(id: second.record.id, origin: Self.origin)
            #expect(try await Self.eventually { cache.record(hash: "second", now: now) == nil })
            listener.cancel()
            _ = await listener.result
            await database.close()
        }
    }

    /// The listener's connection is its own, outside the pool (the tests' pool has four): killed
    /// eight times in a row, requests are still answered and the listener comes back each time.
    /// The limit is above the nine waits' own bound (10 s each): under a full suite on two cores a
    /// reconnect takes seconds, and a slow one must fail as "not listening again", not as a timeout.
    @Test(.timeLimit(.minutes(3)))
    func requestsAreServedAfterTheListenerIsKilledAgainAndAgain() async throws {
        try await TestApp.run(.postgres) { client, app in
            for _ in 0..<8 {
                #expect(try await Self.eventually { try await Self.listening(client) })
                try await Self.killListeners(of: app)
                #expect(try await client.call(.get, "/api/v1/keys", key: app.adminKey).status == .ok)
            }
            #expect(try await Self.eventually { try await Self.listening(client) }, "listening again after eight kills")
        }
    }

    /// PostgresNIO's `listen` can stay suspended after its connection is killed, deaf to
    /// cancellation too (vapor/postgres-nio#601). A body that behaves so must not keep the
    /// listener from noticing the close: `untilClosed` answers when the connection does.
    /// Without it this test waits until its time limit (generous: a full suite on two cores
    /// starves single tests for over a minute).
    @Test(.timeLimit(.minutes(3)))
    func aListenDeafToItsConnectionsCloseIsLeftBehind() async throws {
        try await TestApp.run(.postgres) { _, app in
            let database = try #require(app.database as? PostgresStoreDatabase)
            let entered = Flag()
            let released = Flag()
            let outcome = Task {
                try await database.withDedicatedConnection { connection in
                    try await connection.untilClosed {
                        entered.set()
                        while !released.isSet { try? await Task.sleep(for: .milliseconds(50)) }
                    }
                }
            }
            defer { released.set() }
            // Connected and inside the body; killed then, not while connecting.
            #expect(try await Self.eventually { entered.isSet })
            try await Self.killListeners(of: app)
            let result = await outcome.result
            #expect(throws: (any Error).self, "the close, not the body, answered") { try result.get() }
        }
    }

    final class Flag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }
    }

    static let settings = NewKeySettings(
        name: "n", serviceId: "hokusai", environment: .test, scopes: ScopeSet([.read]), expiresAt: nil,
        rateLimitPerHour: 1000, billingPlan: "free", userId: "alice", email: nil)
}
