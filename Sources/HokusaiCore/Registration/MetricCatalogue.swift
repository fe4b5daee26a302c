/// Which way a metric improves.
public enum MetricDirection: String, Sendable, Equatable {
    case higherIsBetter = "higher_is_better"
    case lowerIsBetter = "lower_is_better"

    /// True when `current` is worse than `baseline` in this direction.
    public func isWorse(_ current: Double, than baseline: Double) -> Bool {
        switch self {
        case .higherIsBetter: current < baseline
        case .lowerIsBetter: current > baseline
        }
    }
}

/// What a benchmark metric allows: its range, its direction, and whether a baseline of zero makes
/// sense (an error metric's baseline of 0 leaves nothing to improve on).
public struct MetricRule: Sendable, Equatable {
    public let name: String
    public let direction: MetricDirection
    public let minimum: Double?
    public let maximum: Double?
    public let baselineMustBePositive: Bool

    public func rangeDescription() -> String {
        switch (minimum, maximum) {
        case (let low?, let high?): "between \(Self.format(low)) and \(Self.format(high))"
        case (let low?, nil): "at least \(Self.format(low))"
        case (nil, let high?): "at most \(Self.format(high))"
        case (nil, nil): "any finite number"
        }
    }

    public func contains(_ value: Double) -> Bool {
        (minimum.map { value >= $0 } ?? true) && (maximum.map { value <= $0 } ?? true)
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// The benchmark metrics Hokusai knows, with their ranges and directions. The reference accepted
/// the same names but judged every metric as higher-is-better, so an improved `mse` was refused,
/// and it refused `f1_score` outright.
public enum MetricCatalogue {
    static let unit: (Double?, Double?) = (0, 1)

    public static let rules: [MetricRule] = [
        rate("accuracy"), rate("auroc"), rate("f1"), rate("precision"), rate("recall"),
        rate("reply_rate"), rate("conversion_rate"),
        MetricRule(name: "engagement_score", direction: .higherIsBetter, minimum: 0, maximum: nil, baselineMustBePositive: false),
        MetricRule(name: "r2", direction: .higherIsBetter, minimum: nil, maximum: 1, baselineMustBePositive: false),
        error("mse"), error("rmse"), error("mae"),
    ]

    /// Other spellings clients send for the same metric.
    public static let aliases: [String: String] = [
        "auc": "auroc", "roc_auc": "auroc", "f1_score": "f1", "f1score": "f1", "r_squared": "r2",
        "mean_squared_error": "mse", "root_mean_squared_error": "rmse", "mean_absolute_error": "mae",
    ]

    /// The rule for `name` (case-insensitive, aliases resolved), or nil for a metric not in the catalogue.
    public static func rule(for name: String) -> MetricRule? {
        let lowered = name.lowercased()
        let canonical = aliases[lowered] ?? lowered
        return rules.first { $0.name == canonical }
    }

    public static var knownNames: String { rules.map(\.name).joined(separator: ", ") }

    static func rate(_ name: String) -> MetricRule {
        MetricRule(name: name, direction: .higherIsBetter, minimum: 0, maximum: 1, baselineMustBePositive: false)
    }

    static func error(_ name: String) -> MetricRule {
        MetricRule(name: name, direction: .lowerIsBetter, minimum: 0, maximum: nil, baselineMustBePositive: true)
    }
}
