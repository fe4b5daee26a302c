import HokusaiCore
import Testing

/// The points a chart gets are MLflow's: NTILE buckets' first points, the last point always kept.
@Suite struct MetricSamplingTests {
    @Test func aShortHistoryIsReturnedWhole() {
        #expect(MetricSampling.positions(count: 0, maxResults: 5) == [])
        #expect(MetricSampling.positions(count: 3, maxResults: 5) == [0, 1, 2])
        #expect(MetricSampling.positions(count: 5, maxResults: 5) == [0, 1, 2, 3, 4])
    }

    @Test func aLongHistoryKeepsEachBucketsFirstPointAndTheLastPoint() {
        // NTILE(4) over 10 rows: buckets of 3, 3, 2, 2 starting at 0, 3, 6, 8; the last start gives way to 9.
        #expect(MetricSampling.positions(count: 10, maxResults: 4) == [0, 3, 6, 9])
        #expect(MetricSampling.positions(count: 100_000, maxResults: 3) == [0, 33_334, 99_999])
        #expect(MetricSampling.positions(count: 7, maxResults: 1) == [6])
    }

    @Test func thePicksAreAscendingDistinctAndAtMostTheLimit() {
        for count in 1...60 {
            for limit in 1...12 {
                let picks = MetricSampling.positions(count: count, maxResults: limit)
                #expect(picks.count == min(count, limit))
                #expect(zip(picks, picks.dropFirst()).allSatisfy { $0 < $1 }, "\(count) \(limit): \(picks)")
                #expect(picks.last == Int64(count - 1))
                if limit > 1 { #expect(picks.first == 0) }
            }
        }
    }
}
