import Foundation
import HokusaiCore

extension DoctorStages {
    // MARK: events

    /// Registration events, on a Hokusai server: the delivery summary, a dry-run registration of
    /// the registry stage's version (checked, built, never queued: a doctor run must not tell the
    /// Hokusai site about a model), and with `--send-test-event` a `ping` followed to delivery.
    static func events(_ session: DoctorSession) async {
        let probe = session.probe
        if session.isHokusai == nil {
            let version = await probe.send(.GET, "/version", credential: .none)
            session.isHokusai = (version.json["service"] as? String) == "hokusai-registry"
        }
        guard session.isHokusai == true else {
            session.skip("events", "registration events", because: "not a Hokusai server: it sends no registration events")
            return
        }
        let summary = await probe.send(.GET, "/api/v1/events/summary")
        if summary.observation.status == 404 {
            session.skip(
                "events", "delivery summary",
                because: "this server does not serve the registration API (a gateway in front of an MLflow server)")
            return
        }
        var webhookTargets = 0
        if ok(summary), let parsed = EventPipelineSummary(json: summary.json) {
            webhookTargets = parsed.webhookTargets
            let verdict = EventDeliveryDiagnosis.assess(parsed, now: Int64(Date().timeIntervalSince1970 * 1000))
            session.record(
                DoctorCheck(
                    stage: "events", name: "delivery summary", outcome: verdict.outcome, observation: summary.observation,
                    evidence: verdict.evidence, diagnosis: verdict.diagnosis))
        } else {
            session.check("events", "delivery summary", summary) { _ in false }
        }
        await dryRunRegistration(session)
        if session.sendTestEvent {
            if webhookTargets == 0 {
                session.skip("events", "ping delivered", because: "no webhook is configured, so there is nothing to deliver to")
            } else {
                await followPing(session)
            }
        }
    }

    static func dryRunRegistration(_ session: DoctorSession) async {
        guard let name = session.registeredModel, let runId = session.runId, session.keyCanWrite else {
            session.skip(
                "events", "registration (dry run)",
                because: session.keyCanWrite ? "no model version to register (see the registry stage)" : "the key cannot write")
            return
        }
        let probe = session.probe
        let answer = await probe.send(
            .POST, "/api/models/tokenized-registration-events",
            json: [
                "dry_run": true, "model_name": name, "version": "1", "token_id": "DOCTOR", "proposal_identifier": "doctor",
                "mlflow_run_id": runId, "metric_name": "accuracy", "baseline_value": 0.5, "current_value": 0.6,
            ])
        guard
            session.check(
                "events", "registration (dry run)", answer,
                evidence: "the registration API accepts a registration and builds its model_registered event (not queued)",
                passes: {
                    ok($0) && ($0.json["dry_run"] as? Bool) == true
                        && (($0.json["event"] as? [String: Any])?["event_type"] as? String) == "model_registered"
                })
        else { return }
        // A dry run must leave no trace: the version carries no token tag afterwards.
        let version = await probe.send(.GET, "\(session.api)/model-versions/get?name=\(name)&version=1")
        let tags = ((version.json["model_version"] as? [String: Any])?["tags"] as? [[String: Any]]) ?? []
        session.check(
            "events", "dry run left nothing behind", version,
            evidence: "the version has no hokusai_token_id tag and no event was queued"
        ) { ok($0) && !tags.contains { ($0["key"] as? String) == RegistrationTags.tokenId } }
    }

    static func followPing(_ session: DoctorSession) async {
        let probe = session.probe
        let queued = await probe.send(.POST, "/api/v1/events/ping")
        guard session.check("events", "queue a ping", queued, passes: { $0.observation.status == 202 }),
            let id = queued.json["event_id"] as? String
        else { return }
        let started = ContinuousClock.now
        var last = queued
        while ContinuousClock.now - started < session.eventWait {
            try? await Task.sleep(for: .milliseconds(300))
            last = await probe.send(.GET, "/api/v1/events/\(id)")
            let state = last.json["state"] as? String
            // Done when delivered, dead, or once an attempt has failed (its error is the finding).
            if state != "queued" || last.json["last_error"] is String { break }
        }
        let verdict = EventDeliveryDiagnosis.assess(
            state: EventState(rawValue: last.json["state"] as? String ?? "") ?? .queued,
            status: last.json["last_status"] as? Int, error: last.json["last_error"] as? String,
            waitedSeconds: Int((ContinuousClock.now - started).components.seconds))
        session.record(
            DoctorCheck(
                stage: "events", name: "ping delivered", outcome: verdict.outcome, observation: last.observation,
                evidence: verdict.evidence, diagnosis: verdict.diagnosis))
    }
}
