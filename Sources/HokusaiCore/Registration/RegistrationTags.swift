/// The tags a registration writes on the model version: the reference SDK's names, so tools that
/// read them keep working, plus the current value and direction (which lineage needs).
public enum RegistrationTags {
    public static let tokenId = "hokusai_token_id"
    public static let status = "hokusai_status"
    public static let metric = "benchmark_metric"
    public static let baseline = "benchmark_value"
    public static let current = "hokusai.current_value"
    public static let direction = "hokusai.metric_direction"
    public static let proposal = "hokusai_proposal_identifier"
    public static let eventId = "hokusai.event_id"

    public static func versionTags(_ claim: RegistrationClaim, eventId: String) -> [KeyValue] {
        var tags = claim.tags
        tags[tokenId] = claim.tokenId
        tags[metric] = claim.benchmark.metricName
        tags[baseline] = pythonFloat(claim.benchmark.baseline)
        tags[current] = pythonFloat(claim.benchmark.current)
        tags[direction] = claim.benchmark.direction.rawValue
        tags[status] = "registered"
        tags[proposal] = claim.proposalIdentifier
        tags[Self.eventId] = eventId
        if let run = claim.mlflowRunId { tags["mlflow_run_id"] = run }
        for (name, value) in [
            ("hokusai.eval_spec", claim.evalSpec), ("hokusai.scorer_ref", claim.scorerRef),
            ("hokusai.primary_metric", claim.primaryMetric), ("hokusai.benchmark_spec_id", claim.benchmarkSpecId),
        ] {
            if let value { tags[name] = value }
        }
        return tags.sorted { $0.key < $1.key }.map { KeyValue(key: $0.key, value: $0.value) }
    }

    /// A float as Python's `str()` writes it (`0.8`, `1.0`), which is how the SDK stored baselines.
    public static func pythonFloat(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e16 ? String(Int64(value)) + ".0" : String(value)
    }
}
