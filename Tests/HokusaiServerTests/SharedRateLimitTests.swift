import Foundation
import HokusaiCore
import Logging
import Testing

@testable import HokusaiServer
@testable import HokusaiStore

/// On PostgreSQL, replicas share each key's hourly limit: three limiters, each with its own
/// connection pool on one schema (three replicas, as far as the store can tell), allow a key its
/// limit in total.
@Suite(.enabled(if: TestStoreKind.available.contains(.postgres)))
struct SharedRateLimitTests {
    static func key(limit: Int, budget: KeyBudget? = nil) throws -> KeyRecord {
        let settings = NewKeySettings(
            name: "n", serviceId: "hokusai", environment: .test, scopes: ScopeSet([.read]), expiresAt: nil,
            rateLimitPerHour: limit, billingPlan: "free", userId: "alice", email: nil, sharedBudget: budget)
        return KeyService.makeKey(settings, createdBy: nil, rotatedFrom: nil, now: Timestamp.nowMillis()).record
    }

    static func replicas(_ store: TestStore, count: Int) async throws -> [SharedRateLimiter] {
        var limiters: [SharedRateLimiter] = []
        for _ in 0..<count {
            let database = try await store.location.open(logger: Logger(label: "replica"))
            limiters.append(SharedRateLimiter(database: database, logger: Logger(label: "replica")))
        }
        return limiters
    }

    @Test(arguments: [10, 100, 1_000])
    func aKeyGetsItsLimitInTotalThroughThreeReplicas(limit: Int) async throws {
        try await TestApp.run(.postgres) { _, app in
            let replicas = try await Self.replicas(app.store, count: 3)
            let key = try Self.key(limit: limit)
            var allowed = 0
            for request in 0..<(limit * 3 / 2) {
                let now = Timestamp.nowMillis()
                if await replicas[request % 3].consume(key: key, now: now).decision.allowed { allowed += 1 }
            }
            #expect(allowed == limit, "not \(limit) per replica")
            for replica in replicas { await replica.database.close() }
        }
    }

    @Test func aChainsBudgetIsSharedToo() async throws {
        try await TestApp.run(.postgres) { _, app in
            let replicas = try await Self.replicas(app.store, count: 2)
            let root = try Self.key(limit: 1_000)
            let budget = KeyBudget(keyId: root.id, limitPerHour: 20)
            let children = [try Self.key(limit: 1_000, budget: budget), try Self.key(limit: 1_000, budget: budget)]
            var allowed = 0
            var exhausted: KeyBudget?
            for request in 0..<60 {
                let outcome = await replicas[request % 2].consume(key: children[request / 2 % 2], now: Timestamp.nowMillis())
                if outcome.decision.allowed { allowed += 1 } else { exhausted = outcome.exhaustedBudget }
            }
            #expect(allowed == 20 && exhausted == budget)
            for replica in replicas { await replica.database.close() }
        }
    }

    /// The counters cannot be reached: the replica counts on its own rather than refusing everyone.
    @Test func withoutTheStoreAReplicaFallsBackToItsOwnCount() async throws {
        try await TestApp.run(.postgres) { _, app in
            let database = try await app.store.location.open(logger: Logger(label: "replica"))
            let limiter = SharedRateLimiter(database: database, logger: Logger(label: "replica"))
            await database.close()
            let key = try Self.key(limit: 10)
            var allowed = 0
            for _ in 0..<15 where await limiter.consume(key: key, now: Timestamp.nowMillis()).decision.allowed {
                allowed += 1
            }
            #expect(allowed == 10)
        }
    }

    @Test func theCounterHoldsReservationsNotRequests() async throws {
        try await TestApp.run(.postgres) { _, app in
            let limiter = try await Self.replicas(app.store, count: 1)[0]
            let key = try Self.key(limit: 100_000)
            for _ in 0..<200 { _ = await limiter.consume(key: key, now: Timestamp.nowMillis()) }
            let writes = try await app.database.read { db in
                try await db.raw("SELECT used FROM rate_counts WHERE counter_id = \(bind: key.id)").first()?
                    .decode(column: "used", as: Int64.self)
            }
            #expect(writes == 256, "one reservation of 256 for 200 requests")
            await limiter.database.close()
        }
    }
}
