import Foundation
import HokusaiCore

extension DoctorStages {
    // MARK: ui

    /// The MLflow UI as a browser meets it: the page at the tracking URI, one of its scripts, and
    /// the two kinds of API call every page makes (`ajax-api` and `graphql`). A server without
    /// the UI still serves every client, so that is a warning with the fix, not a failure.
    static func ui(_ session: DoctorSession) async {
        let probe = session.probe
        let root = session.apiRoot + "/"
        let page = await probe.send(.GET, root)
        let html = String(buffer: page.body)
        let served = ok(page) && (page.observation.contentType ?? "").hasPrefix("text/html") && html.contains("static-files/")
        let offDiagnosis = Diagnosis(
            layer: .webUI,
            cause:
                "no MLflow UI at \(root) (\(page.observation.status ?? 0)): the link the MLflow client prints after a run opens nothing",
            fix: MLflowUILocator.howToEnable)
        guard
            session.check(
                "ui", "the UI's page", page, failAs: .warn, evidence: "\(root) serves the MLflow UI",
                diagnose: { $0.status == 404 || $0.status == 200 ? offDiagnosis : nil },
                passes: { _ in served })
        else {
            for name in ["the UI's scripts", "the UI's API calls", "the UI's GraphQL"] {
                session.skip("ui", name, because: "the UI is not served (see the UI's page)")
            }
            return
        }
        if let script = firstScript(in: html) {
            let file = await probe.send(.GET, root + script, credential: .none)
            session.check("ui", "the UI's scripts", file, evidence: "\(root)\(script) is served, without a key") { answer in
                ok(answer) && (answer.observation.contentType ?? "").contains("javascript")
            }
        } else {
            session.fail(
                "ui", "the UI's scripts", evidence: "the page names no static-files/…js script",
                diagnosis: Diagnosis(
                    layer: .webUI, cause: "the folder served as the UI is not MLflow's compiled build",
                    fix: "point --mlflow-ui at site-packages/mlflow/server/js/build"))
        }
        let search = await probe.send(.POST, root + "ajax-api/2.0/mlflow/experiments/search", json: ["max_results": 1])
        session.check("ui", "the UI's API calls", search, evidence: "\(root)ajax-api answers the experiments list") {
            ok($0) && isJSON($0)
        }
        let graphQL = await probe.send(
            .POST, root + "graphql", json: ["query": #"query { test(inputString: "doctor") { output } }"#])
        session.check("ui", "the UI's GraphQL", graphQL, evidence: "\(root)graphql answers the run pages' queries") { answer in
            let data = answer.json["data"] as? [String: Any]
            return ok(answer) && ((data?["test"] as? [String: Any])?["output"] as? String) == "doctor"
        }
    }

    /// The first script the page loads from `static-files/`, relative to the page.
    static func firstScript(in html: String) -> String? {
        guard let match = html.firstMatch(of: /<script[^>]*\ssrc="(static-files\/[^"?#]+\.js)"/) else { return nil }
        return String(match.output.1)
    }
}
