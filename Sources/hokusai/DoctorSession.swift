import Foundation
import HokusaiCore

/// One doctor run: the checks made so far, with a progress line per check on a terminal, and
/// what the stages created (removed at the end unless `--keep`).
final class DoctorSession {
    let probe: DoctorProbe
    let showProgress: Bool
    private(set) var checks: [DoctorCheck] = []
    /// Cleanup steps, run in reverse order.
    var cleanup: [(String, () async -> Void)] = []
    /// Facts later stages build on.
    var experimentId: String?
    var runId: String?
    var runArtifactsPath: String?
    var keyCanWrite = true
    /// The registry stage's model (its version 1), which the events stage registers in a dry run.
    var registeredModel: String?
    /// Whether the server says it is Hokusai (`/version`); nil until asked.
    var isHokusai: Bool?
    /// `--send-test-event`: queue a ping to the webhook targets and wait for its delivery.
    var sendTestEvent = false
    /// How long to wait for the ping's delivery.
    var eventWait: Duration = .seconds(30)
    /// Why nothing can be asked of the server (no DNS, nothing listening, TLS refused): later
    /// stages skip with this reason instead of repeating the finding.
    var unreachable: String?
    /// The service the key should be for (`--service-id`), checked by `validate`.
    var serviceId = "platform"
    /// Where the MLflow API answers: `/api/mlflow` on a Hokusai server, the root on a bare MLflow server.
    var apiRoot = "/api/mlflow"
    var api: String { apiRoot + "/api/2.0/mlflow" }
    var artifacts: String { apiRoot + "/api/2.0/mlflow-artifacts/artifacts" }

    init(probe: DoctorProbe, showProgress: Bool) {
        self.probe = probe
        self.showProgress = showProgress
    }

    func record(_ check: DoctorCheck) {
        checks.append(check)
        if showProgress {
            let mark =
                switch check.outcome {
                case .pass: "ok  "
                case .fail: "FAIL"
                case .warn: "warn"
                case .skip: "skip"
                }
            let latency = check.observation.map { String(format: " %.0f ms", $0.latencyMs) } ?? ""
            FileHandle.standardError.write(Data("[\(mark)] \(check.stage)/\(check.name)\(latency)\n".utf8))
        }
    }

    /// Records a check on `answer`: passed when `passes`, else failed (or warned) with a diagnosis.
    @discardableResult
    func check(
        _ stage: String, _ name: String, _ answer: DoctorProbe.Answer, failAs failure: CheckOutcome = .fail,
        evidence: String? = nil, diagnose: (Observation) -> Diagnosis? = { _ in nil }, passes: (DoctorProbe.Answer) -> Bool
    ) -> Bool {
        let observation = answer.observation
        if passes(answer) {
            record(
                DoctorCheck(
                    stage: stage, name: name, outcome: .pass, observation: observation,
                    evidence: evidence ?? "\(observation.request) answered \(observation.status ?? 0)"))
            return true
        }
        let summary =
            observation.transportError.map { "no answer: \($0.prefix(200))" }
            ?? "answered \(observation.status ?? 0) \(observation.isJSON ? "JSON" : "non-JSON (\(observation.contentType ?? "no type"))"): "
            + observation.body.prefix(200).replacingOccurrences(of: "\n", with: " ")
        record(
            DoctorCheck(
                stage: stage, name: name, outcome: failure, observation: observation, evidence: summary,
                diagnosis: diagnose(observation) ?? Diagnoser.diagnose(observation)))
        return false
    }

    func skip(_ stage: String, _ name: String, because reason: String) {
        record(DoctorCheck(stage: stage, name: name, outcome: .skip, evidence: reason))
    }

    func fail(_ stage: String, _ name: String, evidence: String, diagnosis: Diagnosis) {
        record(DoctorCheck(stage: stage, name: name, outcome: .fail, evidence: evidence, diagnosis: diagnosis))
    }

    func runCleanup() async {
        for (_, step) in cleanup.reversed() { await step() }
        cleanup.removeAll()
    }
}
