/// A doctor run's result: a score per stage, an overall verdict and exit code, and the report in
/// text (terminals), markdown (incident reports) or JSON (machines).
public struct DoctorReport: Sendable {
    public enum Verdict: String, Sendable {
        case healthy, degraded, failing

        /// 0 healthy, 1 degraded, 2 failing.
        public var exitCode: Int32 {
            switch self {
            case .healthy: 0
            case .degraded: 1
            case .failing: 2
            }
        }
    }

    public let target: String
    public let checks: [DoctorCheck]
    /// Stages whose failure means nothing else can work: reaching the server and authenticating.
    public static let essentialStages: Set<String> = ["infra", "auth"]

    public init(target: String, checks: [DoctorCheck]) {
        self.target = target
        self.checks = checks
    }

    public var stages: [String] {
        var seen: [String] = []
        for check in checks where !seen.contains(check.stage) { seen.append(check.stage) }
        return seen
    }

    public func score(of stage: String) -> (passed: Int, total: Int) {
        let counted = checks.filter { $0.stage == stage && $0.outcome != .skip }
        return (counted.filter { $0.outcome != .fail }.count, counted.count)
    }

    public var failures: [DoctorCheck] { checks.filter { $0.outcome == .fail } }

    public var verdict: Verdict {
        let failed = failures
        if failed.isEmpty { return checks.contains { $0.outcome == .warn } ? .degraded : .healthy }
        return failed.contains { Self.essentialStages.contains($0.stage) } ? .failing : .degraded
    }

    // MARK: Rendering

    public func text() -> String {
        var lines = ["hokusai doctor: \(target)", ""]
        for stage in stages {
            let (passed, total) = score(of: stage)
            let result = total == 0 ? "skipped" : "\(passed)/\(total)"
            lines.append("\(stage.padding(toLength: 10, withPad: " ", startingAt: 0)) \(result)")
        }
        lines.append("")
        lines.append("verdict: \(verdict.rawValue)")
        for (index, check) in failures.enumerated() {
            lines.append("")
            lines.append("\(index + 1). [\(check.stage)] \(check.name): FAILED")
            if let observation = check.observation {
                lines.append("   request:  \(observation.request) → \(observation.status.map(String.init) ?? "no answer")")
            }
            lines.append("   evidence: \(check.evidence)")
            if let diagnosis = check.diagnosis {
                lines.append("   layer:    \(diagnosis.layer.rawValue)")
                lines.append("   cause:    \(diagnosis.cause)")
                lines.append("   fix:      \(diagnosis.fix)")
            }
        }
        for check in checks where check.outcome == .warn {
            lines.append("")
            lines.append("warning [\(check.stage)] \(check.name): \(check.evidence)")
            if let diagnosis = check.diagnosis {
                lines.append("   cause:    \(diagnosis.cause)")
                lines.append("   fix:      \(diagnosis.fix)")
            }
        }
        return lines.joined(separator: "\n")
    }

    public func markdown() -> String {
        var lines = [
            "## hokusai doctor: `\(target)`", "", "**Verdict: \(verdict.rawValue)**", "", "| stage | passed |", "|---|---|",
        ]
        for stage in stages {
            let (passed, total) = score(of: stage)
            lines.append("| \(stage) | \(passed)/\(total) |")
        }
        lines += ["", "| stage | check | result | request | status | ms |", "|---|---|---|---|---|---|"]
        for check in checks {
            let observation = check.observation
            lines.append(
                "| \(check.stage) | \(check.name) | \(check.outcome.rawValue) | `\(observation?.request ?? "")` | "
                    + "\(observation?.status.map(String.init) ?? "–") | \(observation.map { String(Int($0.latencyMs.rounded())) } ?? "–") |"
            )
        }
        for check in checks where check.outcome == .fail || check.outcome == .warn && check.diagnosis != nil {
            let heading = check.outcome == .warn ? " (warning)" : ""
            lines += ["", "### \(check.stage) / \(check.name)\(heading)", "", "- Evidence: \(check.evidence)"]
            if let diagnosis = check.diagnosis {
                lines += ["- Layer: **\(diagnosis.layer.rawValue)**", "- Cause: \(diagnosis.cause)", "- Fix: \(diagnosis.fix)"]
            }
        }
        return lines.joined(separator: "\n")
    }

    public func json() -> [UInt8] {
        let stageScores = stages.map { stage -> JSONValue in
            let (passed, total) = score(of: stage)
            return .object([("stage", .string(stage)), ("passed", .int(passed)), ("total", .int(total))])
        }
        let list = checks.map { check -> JSONValue in
            var fields: [(String, JSONValue)] = [
                ("stage", .string(check.stage)), ("name", .string(check.name)), ("outcome", .string(check.outcome.rawValue)),
                ("evidence", .string(check.evidence)),
            ]
            if let observation = check.observation {
                fields += [
                    ("request", .string(observation.request)), ("status", observation.status.map { .int($0) } ?? .null),
                    ("latency_ms", .double(observation.latencyMs)),
                ]
            }
            if let diagnosis = check.diagnosis {
                fields.append(
                    (
                        "diagnosis",
                        .object([
                            ("layer", .string(diagnosis.layer.rawValue)), ("cause", .string(diagnosis.cause)),
                            ("fix", .string(diagnosis.fix)),
                        ])
                    ))
            }
            return .object(fields)
        }
        return JSONWriter.bytes(
            .object([
                ("target", .string(target)), ("verdict", .string(verdict.rawValue)), ("exit_code", .int(Int(verdict.exitCode))),
                ("stages", .array(stageScores)), ("checks", .array(list)),
            ]))
    }
}
