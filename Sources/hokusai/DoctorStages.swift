import Crypto
import Foundation
import HokusaiCore
import NIOCore

/// The doctor's stages. Each records its checks on the session; later stages use what earlier
/// ones created (an experiment, a run) and skip, saying why, when that is missing.
enum DoctorStages {

    static func isJSON(_ answer: DoctorProbe.Answer) -> Bool { answer.observation.isJSON }
    static func ok(_ answer: DoctorProbe.Answer) -> Bool { answer.observation.status == 200 }

    // MARK: infra

    static func infra(_ session: DoctorSession) async {
        let probe = session.probe
        await network(session)
        if session.unreachable != nil { return }
        let health = await probe.send(.GET, "/health", credential: .none)
        session.check("infra", "health probe", health) { $0.observation.status == 200 }
        if health.observation.transportError != nil {
            session.unreachable = "nothing answers at \(probe.baseURL)"
            return
        }
        let version = await probe.send(.GET, "/version", credential: .none)
        let versionText = (version.json["version"] as? String) ?? version.observation.body.prefix(40).description
        session.check("infra", "server version", version, failAs: .warn, evidence: "version \(versionText)") { ok($0) }
        // A Hokusai server must answer under /api/mlflow: that is every client's tracking URI.
        let isHokusai = (version.json["service"] as? String) == "hokusai-registry"
        session.isHokusai = isHokusai
        if let date = health.headers.first(name: "Date"), let serverTime = Self.httpDate(date) {
            let skew = abs(serverTime.timeIntervalSinceNow)
            if skew > 30 {
                session.record(
                    DoctorCheck(
                        stage: "infra", name: "clock skew", outcome: .warn,
                        evidence: String(
                            format: "the server's clock is %.0f s off this machine's; key expiry and logs will disagree", skew)))
            } else {
                session.record(
                    DoctorCheck(stage: "infra", name: "clock skew", outcome: .pass, evidence: String(format: "%.1f s", skew)))
            }
        }
        // Each prefix clients of the reference system used. One must reach an MLflow API; the
        // others answering HTML or plain 404 is worth a warning (someone's base URL is a trap).
        var answering: [String] = []
        var canonical: DoctorProbe.Answer?
        for root in ["/api/mlflow", "", "/mlflow", "/ajax-api", "/api/mlflow/ajax-api"] {
            let prefix = root.hasSuffix("ajax-api") ? root + "/2.0/mlflow" : root + "/api/2.0/mlflow"
            let answer = await probe.send(.GET, "\(prefix)/experiments/get?experiment_id=0")
            let works = answer.observation.isJSON && answer.observation.status != 404 && (answer.observation.status ?? 500) < 500
            if works, !root.hasSuffix("ajax-api") { answering.append(root) }
            if root == "/api/mlflow" { canonical = answer }
            let essential = isHokusai && root == "/api/mlflow"
            session.check(
                "infra", "route \(prefix)", answer, failAs: essential ? .fail : .warn, evidence: "\(prefix) reaches an MLflow API"
            ) { _ in
                works
            }
        }
        if let root = answering.first {
            session.apiRoot = root
            session.record(
                DoctorCheck(
                    stage: "infra", name: "tracking URI", outcome: .pass,
                    evidence: "MLFLOW_TRACKING_URI=\(probe.baseURL)\(root) reaches the MLflow API"))
        } else if let canonical {
            session.check("infra", "tracking URI", canonical) { _ in false }
        }
        let artifactsRoute = await probe.send(.GET, "\(session.artifacts)?path=")
        session.check(
            "infra", "route \(session.artifacts)", artifactsRoute, evidence: "the artifact service answers",
            diagnose: { observation in
                let general = Diagnoser.diagnose(observation)
                return [.authService, .apiKey, .upstream, .network].contains(general.layer)
                    || observation.isJSON && observation.status == 503
                    ? nil
                    : [404, 501, 503].contains(observation.status ?? 0)
                        ? Diagnosis(
                            layer: .artifactStore,
                            cause:
                                "artifacts are not served at \(observation.path) (\(observation.status ?? 0)): log_artifact and log_model will fail",
                            fix:
                                "serve artifacts: start MLflow with --serve-artifacts (behind a gateway), or add the route for /api/2.0/mlflow-artifacts"
                        )
                        : nil
            }
        ) { answer in
            // The route is there even when its bucket fails: the artifacts stage names that failure.
            isJSON(answer)
                && ((answer.observation.status ?? 500) < 500
                    || (answer.json["message"] as? String)?.hasPrefix("Artifact storage failed") == true)
        }
    }

    // MARK: tracking

    static func tracking(_ session: DoctorSession) async {
        let probe = session.probe
        let name = "hokusai-doctor-\(UUID().uuidString.prefix(8).lowercased())"
        let created = await probe.send(.POST, "\(session.api)/experiments/create", json: ["name": name])
        guard session.check("tracking", "create an experiment", created, passes: { ok($0) }),
            let experimentId = created.json["experiment_id"] as? String
        else { return }
        session.experimentId = experimentId
        session.cleanup.append(
            (
                "experiment",
                { _ = await probe.send(.POST, "\(session.api)/experiments/delete", json: ["experiment_id": experimentId]) }
            ))
        let run = await probe.send(
            .POST, "\(session.api)/runs/create", json: ["experiment_id": experimentId, "run_name": "doctor"])
        guard session.check("tracking", "create a run", run, passes: { ok($0) }),
            let info = (run.json["run"] as? [String: Any])?["info"] as? [String: Any], let runId = info["run_id"] as? String
        else { return }
        session.runId = runId
        session.runArtifactsPath = (info["artifact_uri"] as? String).flatMap(Self.artifactPath)
        session.cleanup.append(("run", { _ = await probe.send(.POST, "\(session.api)/runs/delete", json: ["run_id": runId]) }))
        let now = Int(Date().timeIntervalSince1970 * 1000)
        session.check(
            "tracking", "log a metric",
            await probe.send(
                .POST, "\(session.api)/runs/log-metric",
                json: ["run_id": runId, "key": "m", "value": 0.5, "timestamp": now, "step": 0])
        ) { ok($0) }
        session.check(
            "tracking", "log a param",
            await probe.send(.POST, "\(session.api)/runs/log-parameter", json: ["run_id": runId, "key": "p", "value": "1"])
        ) { ok($0) }
        session.check(
            "tracking", "log a batch",
            await probe.send(
                .POST, "\(session.api)/runs/log-batch",
                json: [
                    "run_id": runId, "metrics": [["key": "b", "value": 1.5, "timestamp": now, "step": 1]],
                    "tags": [["key": "doctor", "value": "yes"]],
                ])
        ) { ok($0) }
        let readBack = await probe.send(.GET, "\(session.api)/runs/get?run_id=\(runId)")
        session.check("tracking", "read the run back", readBack) { answer in
            let data = (answer.json["run"] as? [String: Any])?["data"] as? [String: Any] ?? [:]
            let metrics = Set(((data["metrics"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String })
            let params = ((data["params"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String }
            return ok(answer) && metrics == ["m", "b"] && params == ["p"]
        }
        let search = await probe.send(
            .POST, "\(session.api)/runs/search",
            json: ["experiment_ids": [experimentId], "filter": "metrics.m < 1 AND params.p = '1'"])
        session.check("tracking", "search runs", search) { ok($0) && (($0.json["runs"] as? [Any])?.count == 1) }
    }

    /// `mlflow-artifacts:/1/abc/artifacts` → `1/abc/artifacts`.
    static func artifactPath(_ uri: String) -> String? {
        guard uri.hasPrefix("mlflow-artifacts:") else { return nil }
        return String(uri.dropFirst("mlflow-artifacts:".count).drop { $0 == "/" })
    }

    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
