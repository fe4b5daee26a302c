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
