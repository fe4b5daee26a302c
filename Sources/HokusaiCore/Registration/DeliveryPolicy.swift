import Foundation

/// When a failed webhook delivery is tried again: exponential backoff from `initialDelay`,
/// capped at `maximumDelay`, with ±20 % jitter so a receiver coming back is not hit by every
/// pending event at once; after `giveUpAfter` since the event was created it is dead.
public struct RetryPolicy: Sendable, Equatable {
    public var initialDelayMillis: Int64
    public var maximumDelayMillis: Int64
    public var giveUpAfterMillis: Int64

    public init(initialDelayMillis: Int64 = 2000, maximumDelayMillis: Int64 = 3_600_000, giveUpAfterMillis: Int64 = 86_400_000) {
        self.initialDelayMillis = initialDelayMillis
        self.maximumDelayMillis = maximumDelayMillis
        self.giveUpAfterMillis = giveUpAfterMillis
    }

    /// The time of the next attempt after `attempts` failed ones, or nil when the event is to be given up.
    public func nextAttempt(
        afterFailedAttempts attempts: Int, createdAt: Int64, now: Int64, jitter: Double = Double.random(in: -0.2...0.2)
    ) -> Int64? {
        let exponent = min(max(attempts - 1, 0), 40)
        let base = min(Double(initialDelayMillis) * pow(2, Double(exponent)), Double(maximumDelayMillis))
        let next = now + Int64(base * (1 + jitter))
        return next - createdAt > giveUpAfterMillis ? nil : next
    }
}
