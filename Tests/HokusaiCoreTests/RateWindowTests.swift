import Testing

@testable import HokusaiCore

@Suite struct RateWindowTests {
    @Test func windowsAlignToTheHour() {
        let window = HourlyWindow(containing: 7_205_500)  // 2:00:05.5 after the epoch
        #expect(window.start == 7200)
        #expect(window.reset == 10_800)
        #expect(window.secondsUntilReset(from: 7_205_500) == 3595)
    }

    @Test func decisionCountsDownToZeroThenRefuses() {
        let window = HourlyWindow(containing: 0)
        let last = RateLimitDecision.decide(count: 10, limit: 10, window: window, nowMillis: 0)
        #expect(last.allowed && last.remaining == 0)
        let over = RateLimitDecision.decide(count: 11, limit: 10, window: window, nowMillis: 0)
        #expect(!over.allowed && over.remaining == 0 && over.retryAfterSeconds == 3600)
    }
}

@Suite struct FailedAttemptWindowTests {
    @Test func failuresEitherSideOfAMinuteBoundaryCountTogether() {
        // First failure 0.2 s before a minute turns over, the next two just after it.
        var window = FailedAttemptWindow(firstFailureAt: 59_800)
        window.recordFailure(at: 60_100, lengthSeconds: 60)
        window.recordFailure(at: 60_300, lengthSeconds: 60)
        #expect(window.failures == 3)
        #expect(window.retryAfterSeconds(at: 60_400, maximumFailures: 3, lengthSeconds: 60) == 60)
    }

    @Test func blockLastsUntilTheWindowOpenedByTheFirstFailureEnds() {
        var window = FailedAttemptWindow(firstFailureAt: 1_000)
        window.recordFailure(at: 2_000, lengthSeconds: 10)
        #expect(window.retryAfterSeconds(at: 2_000, maximumFailures: 3, lengthSeconds: 10) == nil)
        window.recordFailure(at: 3_000, lengthSeconds: 10)
        #expect(window.retryAfterSeconds(at: 3_000, maximumFailures: 3, lengthSeconds: 10) == 8)
        #expect(window.retryAfterSeconds(at: 10_999, maximumFailures: 3, lengthSeconds: 10) == 1)
        #expect(window.retryAfterSeconds(at: 11_000, maximumFailures: 3, lengthSeconds: 10) == nil)
    }

    @Test func aFailureAfterTheWindowEndedStartsAFreshCount() {
        var window = FailedAttemptWindow(firstFailureAt: 0)
        window.recordFailure(at: 1_000, lengthSeconds: 10)
        window.recordFailure(at: 12_000, lengthSeconds: 10)
        #expect(window == FailedAttemptWindow(firstFailureAt: 12_000))
        #expect(!window.hasEnded(at: 21_999, lengthSeconds: 10))
        #expect(window.hasEnded(at: 22_000, lengthSeconds: 10))
    }
}
