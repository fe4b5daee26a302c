import Testing

@testable import HokusaiCore

@Suite struct CircuitBreakerTests {
    @Test func opensAfterConsecutiveFailuresAndProbesAfterTheOpenPeriod() {
        var breaker = CircuitBreaker(failureThreshold: 3, successThreshold: 2, openMillis: 1000)
        for time in 0..<2 {
            let permitted = breaker.permitsCall(now: Int64(time))
            #expect(permitted)
            breaker.recordFailure(now: Int64(time))
        }
        #expect(breaker.state == .closed)
        breaker.recordFailure(now: 2)
        let whileOpen = breaker.permitsCall(now: 500)
        #expect(breaker.state == .open && !whileOpen && breaker.retryAfterMillis(now: 500) == 502)
        let probe = breaker.permitsCall(now: 1002)
        #expect(probe && breaker.state == .halfOpen)
        let second = breaker.permitsCall(now: 1003)
        #expect(!second, "one probe at a time")
        breaker.recordSuccess(now: 1004)
        let next = breaker.permitsCall(now: 1005)
        #expect(breaker.state == .halfOpen && next)
        breaker.recordSuccess(now: 1006)
        #expect(breaker.state == .closed)
    }

    @Test func aFailedProbeOpensItAgainAndSuccessesResetTheCount() {
        var breaker = CircuitBreaker(failureThreshold: 2, successThreshold: 1, openMillis: 100)
        breaker.recordFailure(now: 0)
        breaker.recordSuccess(now: 1)
        breaker.recordFailure(now: 2)
        #expect(breaker.state == .closed, "failures must be consecutive")
        breaker.recordFailure(now: 3)
        #expect(breaker.state == .open)
        let probe = breaker.permitsCall(now: 103)
        #expect(probe)
        breaker.recordFailure(now: 104)
        let early = breaker.permitsCall(now: 150)
        let later = breaker.permitsCall(now: 204)
        #expect(breaker.state == .halfOpen && !early && later)
    }
}

@Suite struct ValidationCacheTests {
    static let record = KeyRecord(
        id: "key_1", keyHash: "h", keyHead: "hk_live_ab", keyTail: "cd", name: "n", userId: "u", email: nil,
        serviceId: "platform",
        environment: .production, scopes: ScopeSet([.read, .write]), rateLimitPerHour: 1000, billingPlan: "free", createdAt: 0,
        expiresAt: nil)

    @Test func validKeysAreFreshThenStaleThenGone() {
        var cache = ValidationCache(positiveMillis: 60, negativeMillis: 5, staleMillis: 900)
        cache.store(.valid(Self.record), hash: "h", now: 0)
        #expect(cache.lookup(hash: "h", now: 59) == .fresh(.valid(Self.record)))
        #expect(cache.lookup(hash: "h", now: 60) == .stale(Self.record))
        #expect(cache.lookup(hash: "h", now: 900) == .miss)
        #expect(cache.lookup(hash: "other", now: 0) == .miss)
    }

    @Test func refusalsAreRememberedBriefly() {
        var cache = ValidationCache(positiveMillis: 60, negativeMillis: 5, staleMillis: 900)
        let refusal = KeyRejection(code: .revoked, message: "revoked")
        cache.store(.refused(refusal), hash: "r", now: 0)
        #expect(cache.lookup(hash: "r", now: 4) == .fresh(.refused(refusal)))
        #expect(cache.lookup(hash: "r", now: 5) == .miss)
    }

    @Test func capacityIsBounded() {
        var cache = ValidationCache(positiveMillis: 60, negativeMillis: 5, staleMillis: 900, capacity: 10)
        for index in 0..<25 { cache.store(.valid(Self.record), hash: "h\(index)", now: Int64(index)) }
        #expect(cache.count <= 10)
        #expect(cache.lookup(hash: "h24", now: 25) != .miss, "the newest entries stay")
    }
}
