import Testing

@testable import HokusaiCore

@Suite struct RateGrantPolicyTests {
    @Test func reservationsShrinkAsTheLimitNears() {
        #expect(RateGrantPolicy.reservation(limit: 100_000, lastSeenUsed: 0) == 256)
        #expect(RateGrantPolicy.reservation(limit: 1_000, lastSeenUsed: 0) == 125)
        #expect(RateGrantPolicy.reservation(limit: 100, lastSeenUsed: 0) == 12)
        #expect(RateGrantPolicy.reservation(limit: 100, lastSeenUsed: 90) == 1)
        #expect(RateGrantPolicy.reservation(limit: 100, lastSeenUsed: 250) == 1, "past the limit, one to ask with")
    }

    @Test func aGrantIsOnlyWhatStillFits() {
        #expect(RateGrantPolicy.granted(limit: 100, usedAfter: 12, reserved: 12) == 12)
        #expect(RateGrantPolicy.granted(limit: 100, usedAfter: 104, reserved: 12) == 8)
        #expect(RateGrantPolicy.granted(limit: 100, usedAfter: 130, reserved: 12) == 0)
    }

    /// Three replicas taking turns (a round-robin client), each reserving when its grant runs out,
    /// in every order of their store calls this simulation produces: never more than the limit,
    /// and exactly the limit once the client has come back to every replica.
    @Test(arguments: [10, 100, 1_000, 5_000])
    func threeReplicasTogetherAllowExactlyTheLimit(limit: Int) {
        var counter: Int64 = 0
        var tokens = [0, 0, 0]
        var seen: [Int64] = [0, 0, 0]
        var allowed = 0
        var generator = SplitMix(seed: UInt64(limit))
        for request in 0..<(limit * 2 + 30) {
            // Mostly round-robin, sometimes a replica twice: a balancer is not perfectly fair.
            let replica = generator.next() % 5 == 0 ? Int(generator.next() % 3) : request % 3
            if tokens[replica] == 0 {
                let reserved = RateGrantPolicy.reservation(limit: limit, lastSeenUsed: seen[replica])
                counter += Int64(reserved)
                seen[replica] = counter
                tokens[replica] += RateGrantPolicy.granted(limit: limit, usedAfter: counter, reserved: reserved)
            }
            if tokens[replica] > 0 {
                tokens[replica] -= 1
                allowed += 1
            }
        }
        #expect(allowed == limit)
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
