import HokusaiCore
import HokusaiStore
import Logging
import Synchronization

/// Counts requests against hourly limits; `KeyAuthenticator` asks it once per authenticated request.
protocol RateLimiting: Sendable {
    func consume(key: KeyRecord, now: Int64) async -> KeyRateLimiter.Outcome
}

extension KeyRateLimiter: RateLimiting {}

/// Hourly limits shared by every replica on one PostgreSQL store: a key with 100 requests an
/// hour gets 100 through any number of replicas, not 100 each. Each replica spends requests it
/// reserved in the store (`RateGrantPolicy`, `rate_counts`), so a busy key costs one store write
/// per reservation (up to 256 requests), not per request.
///
/// If the store cannot be reached, the replica counts on its own (`fallback`) and logs it: a
/// store outage must not refuse every request, and requests that need the store fail anyway.
final class SharedRateLimiter: RateLimiting {
    private struct Grant {
        var windowStart: Int64
        var tokens = 0
        /// The counter's value after this replica's last reservation.
        var lastSeenUsed: Int64 = 0
        /// The store granted nothing this window: refuse without asking again.
        var exhausted = false
    }

    let database: any Database
    let fallback: KeyRateLimiter
    let logger: Logger
    private let grants = Mutex([String: Grant]())
    private let lastWarning = Mutex(Int64(0))
    private let sweptWindow = Mutex(Int64(0))

    init(database: any Database, fallback: KeyRateLimiter = KeyRateLimiter(), logger: Logger) {
        self.database = database
        self.fallback = fallback
        self.logger = logger
    }

    func consume(key: KeyRecord, now: Int64) async -> KeyRateLimiter.Outcome {
        do {
            let window = HourlyWindow(containing: now)
            let own = try await take(key.id, limit: key.rateLimitPerHour, window: window)
            let ownDecision = RateLimitDecision.decide(count: own, limit: key.rateLimitPerHour, window: window, nowMillis: now)
            guard let budget = key.sharedBudget, budget.keyId != key.id else {
                return KeyRateLimiter.Outcome(decision: ownDecision, exhaustedBudget: nil)
            }
            let chain = try await take(budget.keyId, limit: budget.limitPerHour, window: window)
            let chainDecision = RateLimitDecision.decide(count: chain, limit: budget.limitPerHour, window: window, nowMillis: now)
            let exhausted = ownDecision.allowed && !chainDecision.allowed ? budget : nil
            return KeyRateLimiter.Outcome(
                decision: RateLimitDecision.binding(ownDecision, chainDecision), exhaustedBudget: exhausted)
        } catch {
            warnOfFallback(error, now: now)
            return fallback.consume(key: key, now: now)
        }
    }

    /// Spends one request of `counterId`'s window and returns its place in the window as far as
    /// this replica knows (1-based; above `limit` when refused).
    private func take(_ counterId: String, limit: Int, window: HourlyWindow) async throws -> Int {
        let refused = limit + 1
        if let spent = spendReserved(counterId, limit: limit, window: window) { return spent ?? refused }
        let lastSeen = grants.withLock { $0[counterId]?.windowStart == window.start ? $0[counterId]!.lastSeenUsed : 0 }
        let reserved = RateGrantPolicy.reservation(limit: limit, lastSeenUsed: lastSeen)
        sweepOldWindows(before: window.start)
        // One statement, committed on its own: atomic without a BEGIN and COMMIT round trip.
        let usedAfter = try await database.read { db in
            try await RateCountRepository().reserve(
                counterId: counterId, windowStart: window.start, reserved: reserved, on: db)
        }
        let granted = RateGrantPolicy.granted(limit: limit, usedAfter: usedAfter, reserved: reserved)
        return grants.withLock { grants in
            var grant =
                grants[counterId].flatMap { $0.windowStart == window.start ? $0 : nil } ?? Grant(windowStart: window.start)
            grant.tokens += granted
            grant.lastSeenUsed = max(grant.lastSeenUsed, usedAfter)
            grant.exhausted = grant.tokens == 0
            defer { grants[counterId] = grant }
            guard grant.tokens > 0 else { return refused }
            grant.tokens -= 1
            return Self.place(grant, limit: limit)
        }
    }

    /// nil when the store must be asked; `.some(nil)` when this window is known to be spent.
    private func spendReserved(_ counterId: String, limit: Int, window: HourlyWindow) -> Int?? {
        grants.withLock { grants -> Int?? in
            guard var grant = grants[counterId], grant.windowStart == window.start else { return nil }
            if grant.exhausted { return .some(nil) }
            guard grant.tokens > 0 else { return nil }
            grant.tokens -= 1
            grants[counterId] = grant
            return .some(Self.place(grant, limit: limit))
        }
    }

    /// The request's place: what the store had counted (up to the limit, which is where this
    /// replica's grant ends when it was cut short), less what this replica still holds.
    private static func place(_ grant: Grant, limit: Int) -> Int {
        Int(max(1, min(grant.lastSeenUsed, Int64(limit)) - Int64(grant.tokens)))
    }

    private func sweepOldWindows(before windowStart: Int64) {
        let first = sweptWindow.withLock { swept in
            defer { swept = windowStart }
            return swept != windowStart
        }
        guard first else { return }
        grants.withLock { grants in grants = grants.filter { $0.value.windowStart == windowStart } }
        Task { [database] in
            try? await database.transaction { db in
                try await RateCountRepository().deleteWindows(before: windowStart - HourlyWindow.lengthSeconds, on: db)
            }
        }
    }

    private func warnOfFallback(_ error: any Error, now: Int64) {
        let due = lastWarning.withLock { last in
            defer { if now - last >= 60_000 { last = now } }
            return now - last >= 60_000
        }
        if due {
            logger.warning(
                "cannot reach the shared rate counters: counting this replica's requests on its own until the store answers",
                metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
