/// Failed authentication attempts from one client address, counted in a window that opens at the
/// address's first failure rather than at a clock boundary. An aligned window would start a fresh
/// count mid-burst whenever a minute turns over, letting a guesser spend twice the limit across the
/// boundary (and making "the next attempt is refused" depend on the wall clock).
public struct FailedAttemptWindow: Sendable, Equatable {
    /// When the window opened: the first failure's time, epoch milliseconds.
    public private(set) var openedAt: Int64
    public private(set) var failures: Int

    /// A window opened by a failure at `nowMillis`.
    public init(firstFailureAt nowMillis: Int64) {
        openedAt = nowMillis
        failures = 1
    }

    /// Whether the window has ended by `nowMillis` (its count no longer matters).
    public func hasEnded(at nowMillis: Int64, lengthSeconds: Int64) -> Bool {
        nowMillis >= openedAt + lengthSeconds * 1000
    }

    /// Counts one more failure at `nowMillis`, opening a new window if this one has ended.
    public mutating func recordFailure(at nowMillis: Int64, lengthSeconds: Int64) {
        if hasEnded(at: nowMillis, lengthSeconds: lengthSeconds) {
            self = FailedAttemptWindow(firstFailureAt: nowMillis)
        } else {
            failures += 1
        }
    }

    /// Whole seconds (at least 1) until the address may try again, or nil when it is not blocked.
    public func retryAfterSeconds(at nowMillis: Int64, maximumFailures: Int, lengthSeconds: Int64) -> Int? {
        guard failures >= maximumFailures, !hasEnded(at: nowMillis, lengthSeconds: lengthSeconds) else { return nil }
        let remainingMillis = openedAt + lengthSeconds * 1000 - nowMillis
        return max(1, Int((remainingMillis + 999) / 1000))
    }
}
