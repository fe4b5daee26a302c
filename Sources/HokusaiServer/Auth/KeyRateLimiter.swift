import HokusaiCore
import Synchronization

/// Counts each key's requests in fixed hourly windows, in this process.
///
/// Counting happens after authentication, so it is per key (the reference system's limiter ran
/// before auth and never counted anything). It is the whole limiter on SQLite and on gateways;
/// on PostgreSQL, `SharedRateLimiter` shares the count between replicas and falls back to this
/// one when the store cannot be reached. Every authenticated request
/// counts, whatever it is answered (a 403 or 404 costs the caller as much as a 200 costs us).
final class KeyRateLimiter: Sendable {
    private struct Counter {
        var windowStart: Int64
        var count: Int
    }

    /// What one request was measured against.
    struct Outcome: Sendable {
        /// The decision that binds (see `RateLimitDecision.binding`).
        let decision: RateLimitDecision
        /// Set when the chain's shared budget, not the key's own limit, refused the request.
        let exhaustedBudget: KeyBudget?
    }

    private let counters = Mutex([String: Counter]())
    /// Entries beyond which stale windows are swept, to keep memory bounded.
    private let sweepThreshold = 100_000

    /// Counts one request for `keyId` and says whether it is within `limit`.
    private func consume(keyId: String, limit: Int, now: Int64) -> RateLimitDecision {
        let window = HourlyWindow(containing: now)
        let count = counters.withLock { counters in increment(keyId, window: window, in: &counters) }
        return RateLimitDecision.decide(count: count, limit: limit, window: window, nowMillis: now)
    }

    /// Counts one request of `key` against its own limit and, for a key in a chain, against the
    /// chain's budget (kept under the root key's id, so the root's own requests count there too).
    func consume(key: KeyRecord, now: Int64) -> Outcome {
        guard let budget = key.sharedBudget, budget.keyId != key.id else {
            return Outcome(decision: consume(keyId: key.id, limit: key.rateLimitPerHour, now: now), exhaustedBudget: nil)
        }
        let window = HourlyWindow(containing: now)
        let (own, chain) = counters.withLock { counters in
            (increment(key.id, window: window, in: &counters), increment(budget.keyId, window: window, in: &counters))
        }
        let ownDecision = RateLimitDecision.decide(count: own, limit: key.rateLimitPerHour, window: window, nowMillis: now)
        let chainDecision = RateLimitDecision.decide(count: chain, limit: budget.limitPerHour, window: window, nowMillis: now)
        let binding = RateLimitDecision.binding(ownDecision, chainDecision)
        let exhausted = ownDecision.allowed && !chainDecision.allowed ? budget : nil
        return Outcome(decision: binding, exhaustedBudget: exhausted)
    }

    private func increment(_ keyId: String, window: HourlyWindow, in counters: inout [String: Counter]) -> Int {
        if counters.count > sweepThreshold {
            counters = counters.filter { $0.value.windowStart == window.start }
        }
        var counter = counters[keyId] ?? Counter(windowStart: window.start, count: 0)
        if counter.windowStart != window.start {
            counter = Counter(windowStart: window.start, count: 0)
        }
        counter.count += 1
        counters[keyId] = counter
        return counter.count
    }
}
