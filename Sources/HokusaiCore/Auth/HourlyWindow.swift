/// Fixed hourly rate-limit windows aligned to the hour, as the reference system's limiter
/// defined them: a key may make `limit` requests between two hour boundaries.
public struct HourlyWindow: Sendable, Equatable {
    public static let lengthSeconds: Int64 = 3600

    /// Start of the window, epoch seconds.
    public let start: Int64

    public init(containing nowMillis: Int64) {
        let seconds = nowMillis / 1000
        self.start = seconds - seconds % Self.lengthSeconds
    }

    /// End of the window (the `X-RateLimit-Reset` value), epoch seconds.
    public var reset: Int64 { start + Self.lengthSeconds }

    /// Seconds from `nowMillis` until the window resets, at least 1.
    public func secondsUntilReset(from nowMillis: Int64) -> Int {
        max(1, Int(reset - nowMillis / 1000))
    }
}

/// The answer to "may this key make one more request now?"
public struct RateLimitDecision: Sendable, Equatable {
    public let allowed: Bool
    public let limit: Int
    public let remaining: Int
    /// Epoch seconds at which the window resets.
    public let reset: Int64
    public let retryAfterSeconds: Int

    /// Decides for a request that would be number `count` (1-based) in its window.
    public static func decide(count: Int, limit: Int, window: HourlyWindow, nowMillis: Int64) -> RateLimitDecision {
        RateLimitDecision(
            allowed: count <= limit,
            limit: limit,
            remaining: max(0, limit - count),
            reset: window.reset,
            retryAfterSeconds: window.secondsUntilReset(from: nowMillis))
    }

    /// Of a key's own decision and its chain's, the one that binds: a refusal if either refuses,
    /// else the one with fewer requests left (what the `X-RateLimit-*` headers then report).
    public static func binding(_ own: RateLimitDecision, _ chain: RateLimitDecision) -> RateLimitDecision {
        if own.allowed != chain.allowed { return own.allowed ? chain : own }
        return chain.remaining < own.remaining ? chain : own
    }
}
