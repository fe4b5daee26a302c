/// Which points of a metric's history a chart gets when it asks for at most `maxResults` of them
/// (`metrics/get-history-bulk-interval`), as MLflow's SQL store picks them: the ordered points cut
/// into `maxResults` runs of near-equal length (SQL's `NTILE`), the first point of each run kept,
/// and the last point of the history always shown, in place of the last pick when the picks are
/// already `maxResults`. A history no longer than `maxResults` is returned whole.
public enum MetricSampling {
    /// Positions (0-based, ascending) into a history of `count` ordered points.
    public static func positions(count: Int, maxResults: Int) -> [Int64] {
        guard count > 0 else { return [] }
        let buckets = max(1, maxResults)
        guard count > buckets else { return (0..<Int64(count)).map { $0 } }
        // NTILE gives the first `count % buckets` buckets one point more than the rest.
        let shortLength = count / buckets
        let longBuckets = count % buckets
        var picks = (0..<buckets).map { bucket in Int64(bucket * shortLength + min(bucket, longBuckets)) }
        picks[picks.count - 1] = Int64(count - 1)
        return picks
    }
}
