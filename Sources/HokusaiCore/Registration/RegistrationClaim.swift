/// A benchmark result as the client claims it: which metric, which way it improves, the baseline
/// and the new value.
public struct BenchmarkClaim: Sendable, Equatable {
    /// The catalogue's name when the metric is known (`f1_score` → `f1`), else the client's.
    public var metricName: String
    public var direction: MetricDirection
    public var baseline: Double
    public var current: Double

    public init(metricName: String, direction: MetricDirection, baseline: Double, current: Double) {
        self.metricName = metricName
        self.direction = direction
        self.baseline = baseline
        self.current = current
    }

    /// Improvement over the baseline in percent, in the metric's direction; nil when the baseline is 0.
    public var improvementPercent: Double? {
        guard baseline != 0 else { return nil }
        let change = (current - baseline) / abs(baseline) * 100
        return direction == .higherIsBetter ? change : -change
    }
}

/// A validated registration: the model version it is about, the token it links, its benchmark.
public struct RegistrationClaim: Sendable {
    public var modelName: String
    /// Nil for `/api/models/register`, which creates the version.
    public var version: String?
    /// Upper-cased, as the reference SDK writes it in tags.
    public var tokenId: String
    public var proposalIdentifier: String
    public var mlflowRunId: String?
    public var modelURI: String?
    public var benchmark: BenchmarkClaim
    public var evalSpec: String?
    public var scorerRef: String?
    public var primaryMetric: String?
    public var benchmarkSpecId: String?
    public var apiSchema: JSONAny?
    /// The client's own tags, written beside the Hokusai ones (which win on a clash).
    public var tags: [String: String]
    /// `dry_run`: check everything and build the event, but record and send nothing (what
    /// `hokusai doctor` uses, so a check never tells the Hokusai site about a model).
    public var dryRun = false

    /// The reference's model id, `<model_name>/<version>/<token_id>`.
    public func modelId(version: String) -> String { "\(modelName)/\(version)/\(tokenId)" }
}

/// The rules of the registration API. Every failure names the field and the rule, and all of a
/// request's failures are reported together (the reference answered every one of them with an
/// opaque 502).
public enum RegistrationRules {
    /// `POST /api/models/tokenized-registration-events`: tells Hokusai an existing model version is
    /// registered for a token.
    public static func tokenizedEvent(_ body: [String: JSONAny]) throws(FieldProblems) -> RegistrationClaim {
        var reader = FieldReader(body)
        let modelName = reader.requiredString("model_name")
        let version = reader.version("version")
        let tokenId = token(&reader)
        let proposal = reader.requiredString("proposal_identifier")
        let runId = reader.requiredString("mlflow_run_id")
        var claim = common(&reader, modelName: modelName, tokenId: tokenId)
        claim.version = version
        claim.proposalIdentifier = proposal
        claim.mlflowRunId = runId
        claim.modelURI = reader.optionalString("model_uri", maximumLength: 1000)
        guard reader.problems.isEmpty else { throw FieldProblems(reader.problems) }
        return claim
    }

    /// `POST /api/models/register`: registers a logged model as a new version and links it to a token.
    public static func register(_ body: [String: JSONAny]) throws(FieldProblems) -> RegistrationClaim {
        var reader = FieldReader(body)
        let modelURI = reader.requiredString("model_uri", maximumLength: 1000)
        if !modelURI.isEmpty, !modelURI.hasPrefix("runs:/"), !modelURI.hasPrefix("models:/") {
            reader.record(
                FieldProblem("model_uri", "must be runs:/<run_id>/<path> or models:/m-<id> (a model logged to this server)"))
        }
        let modelName = reader.requiredString("model_name")
        if !modelName.isEmpty {
            do { try RegistryRules.validateModelName(modelName) } catch {
                reader.record(FieldProblem("model_name", error.message))
            }
        }
        let tokenId = token(&reader)
        var claim = common(&reader, modelName: modelName, tokenId: tokenId)
        claim.modelURI = modelURI
        claim.proposalIdentifier = reader.optionalString("proposal_identifier") ?? tokenId
        claim.mlflowRunId =
            modelURI.hasPrefix("runs:/") ? modelURI.dropFirst("runs:/".count).split(separator: "/").first.map(String.init) : nil
        let metadata = reader.stringMap("metadata")
        claim.tags = metadata.merging(claim.tags) { _, tag in tag }
        guard reader.problems.isEmpty else { throw FieldProblems(reader.problems) }
        return claim
    }

    /// Token ids: letters, digits, `-` and `_`, at most 64; stored upper-cased.
    static func token(_ reader: inout FieldReader) -> String {
        let raw = reader.requiredString("token_id", maximumLength: 64)
        guard !raw.isEmpty else { return "" }
        guard
            raw.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_")
            })
        else {
            reader.record(FieldProblem("token_id", "may contain only letters, digits, '-' and '_'"))
            return ""
        }
        return raw.uppercased()
    }

    static func common(_ reader: inout FieldReader, modelName: String, tokenId: String) -> RegistrationClaim {
        let benchmark = benchmark(&reader)
        return RegistrationClaim(
            modelName: modelName, version: nil, tokenId: tokenId, proposalIdentifier: tokenId, mlflowRunId: nil, modelURI: nil,
            benchmark: benchmark,
            evalSpec: reader.optionalString("eval_spec"), scorerRef: reader.optionalString("scorer_ref"),
            primaryMetric: reader.optionalString("primary_metric"), benchmarkSpecId: reader.optionalString("benchmark_spec_id"),
            apiSchema: reader.object("api_schema").map { .object($0) }, tags: reader.stringMap("tags"),
            dryRun: reader.optionalBool("dry_run"))
    }

    /// The metric, its direction and range, and the "not worse than the baseline" rule judged in
    /// the metric's own direction.
    static func benchmark(_ reader: inout FieldReader) -> BenchmarkClaim {
        let name = reader.requiredString("metric_name", maximumLength: 100)
        let baseline = reader.number("baseline_value", required: true)
        let current = reader.number("current_value", required: false)
        var direction: MetricDirection?
        if let raw = reader.optionalString("metric_direction", maximumLength: 40) {
            direction = MetricDirection(rawValue: raw.lowercased())
            if direction == nil { reader.record(FieldProblem("metric_direction", "must be higher_is_better or lower_is_better")) }
        }
        let rule = name.isEmpty ? nil : MetricCatalogue.rule(for: name)
        if let rule, let direction, direction != rule.direction {
            reader.record(
                FieldProblem(
                    "metric_direction", "\(rule.name) is \(rule.direction.rawValue); metric_direction says \(direction.rawValue)")
            )
        }
        if !name.isEmpty, rule == nil, direction == nil {
            reader.record(
                FieldProblem(
                    "metric_name",
                    "'\(name)' is not a known metric (\(MetricCatalogue.knownNames)); "
                        + "send metric_direction (higher_is_better or lower_is_better) to use your own"))
        }
        let resolvedDirection = rule?.direction ?? direction ?? .higherIsBetter
        if let rule {
            for (field, value) in [("baseline_value", baseline), ("current_value", current)] {
                if let value, !rule.contains(value) {
                    reader.record(FieldProblem(field, "\(rule.name) must be \(rule.rangeDescription()), got \(value)"))
                }
            }
            if rule.baselineMustBePositive, let baseline, baseline <= 0 {
                reader.record(FieldProblem("baseline_value", "\(rule.name) baseline must be greater than 0"))
            }
        }
        if let baseline, let current, resolvedDirection.isWorse(current, than: baseline) {
            let better = resolvedDirection == .higherIsBetter ? "higher" : "lower"
            reader.record(
                FieldProblem(
                    "current_value",
                    "\(current) is worse than baseline_value \(baseline): \(rule?.name ?? name) is better when \(better)"))
        }
        return BenchmarkClaim(
            metricName: rule?.name ?? name, direction: resolvedDirection, baseline: baseline ?? 0,
            current: current ?? baseline ?? 0)
    }
}
