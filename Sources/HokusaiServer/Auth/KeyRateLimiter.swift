import HokusaiCore
import Synchronization

/// Counts each key's requests in fixed hourly windows, in this process.
///
/// Counting happens after authentication, so it is per key (the reference system's limiter ran
/// before auth and never counted anything). In a scale-out deployment each replica counts its
/// own share; a key's effective limit is then its limit per replica.
final class KeyRateLimiter: Sendable {
    private struct Counter {
        var windowStart: Int64
        var count: Int
    }

    private let counters = Mutex([String: Counter]())
    /// Entries beyond which stale windows are swept, to keep memory bounded.
    private let sweepThreshold = 100_000

    /// Counts one request for `keyId` and says whether it is within `limit`.
    func consume(keyId: String, limit: Int, now: Int64) -> RateLimitDecision {
        let window = HourlyWindow(containing: now)
        let count = counters.withLock { counters -> Int in
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
        return RateLimitDecision.decide(count: count, limit: limit, window: window, nowMillis: now)
    }
}
