import Foundation
import HokusaiCore

extension DoctorStages {
    // MARK: auth

    static func auth(_ session: DoctorSession) async {
        let probe = session.probe
        let anonymous = await probe.send(.GET, "\(session.api)/experiments/get?experiment_id=0", credential: .none)
        if ok(anonymous) {
            session.fail(
                "auth", "a request without a key is refused", evidence: "GET experiments/get without any key answered 200",
                diagnosis: Diagnosis(
                    layer: .gateway, cause: "no authentication is in place: anyone who reaches this URL can read and write",
                    fix: "put the Hokusai gateway in front: hokusai serve --role gateway --mlflow-upstream <this server>"))
        } else {
            session.check("auth", "a request without a key is refused", anonymous) { $0.observation.status == 401 && isJSON($0) }
        }
        let malformed = await probe.send(
            .GET, "\(session.api)/experiments/get?experiment_id=0", credential: .raw("Bearer hk_live_not-a-key"))
        if !ok(anonymous) {
            session.check("auth", "a malformed key is refused", malformed) { $0.observation.status == 401 }
        }
        guard probe.key != nil else {
            session.skip("auth", "the key", because: "no key given (--api-key, HOKUSAI_API_KEY or MLFLOW_TRACKING_TOKEN)")
            return
        }
        var firstKeyed: Double?
        for (label, credential) in [
            ("Bearer", DoctorProbe.Credential.bearer), ("lowercase bearer", .lowercaseBearer), ("ApiKey", .apiKey),
            ("X-API-Key", .xAPIKey), ("Basic", .basic),
        ] {
            let answer = await probe.send(.GET, "\(session.api)/experiments/get?experiment_id=0", credential: credential)
            firstKeyed = firstKeyed ?? answer.observation.latencyMs
            session.check("auth", "key as \(label)", answer, failAs: label == "Bearer" ? .fail : .warn) { ok($0) }
        }
        await repeatedValidation(session, first: firstKeyed ?? 0)
        let viaHeader = await probe.send(.POST, "/api/v1/keys/validate", json: ["service_id": session.serviceId])
        if viaHeader.observation.status == 404 {
            session.skip(
                "auth", "validate endpoint", because: "this server has no key service (a gateway or a plain MLflow server)")
        } else {
            let info = viaHeader.json
            let scopes = (info["scopes"] as? [String]) ?? []
            session.keyCanWrite = scopes.contains("write") || scopes.contains("admin")
            let remaining = viaHeader.headers.first(name: "X-RateLimit-Remaining") ?? "?"
            session.check(
                "auth", "validate (key in the header)", viaHeader,
                evidence:
                    "valid for service '\(info["service_id"] as? String ?? "?")', scopes \(scopes), expires \(info["expires_at"] as? String ?? "never"), "
                    + "\(remaining) requests left this hour"
            ) { ok($0) && ($0.json["is_valid"] as? Bool) == true }
            let viaBody = await probe.send(
                .POST, "/api/v1/keys/validate", credential: .none,
                json: ["api_key": probe.key ?? "", "service_id": session.serviceId])
            session.check("auth", "validate (key in the body)", viaBody) { ok($0) && ($0.json["is_valid"] as? Bool) == true }
            if !session.keyCanWrite, ok(viaHeader) {
                session.record(
                    DoctorCheck(
                        stage: "auth", name: "write scope", outcome: .warn,
                        evidence: "the key has scopes \(scopes): tracking and registry writes will be refused with 403"))
            }
        }
    }

    /// The reference's "cache timing" check, made useful: once a key has been seen, each request
    /// must not pay for its validation again (the reference's requests each waited out a 2 s cache
    /// timeout). Repeats of the first keyed request are timed; slow repeats are a warning.
    static func repeatedValidation(_ session: DoctorSession, first: Double) async {
        var repeats: [Double] = []
        var last: DoctorProbe.Answer?
        for _ in 0..<5 {
            let answer = await session.probe.send(.GET, "\(session.api)/experiments/get?experiment_id=0")
            guard ok(answer) else { return }
            repeats.append(answer.observation.latencyMs)
            last = answer
        }
        let median = repeats.sorted()[repeats.count / 2]
        let evidence = String(format: "first keyed request %.1f ms, repeats median %.1f ms", first, median)
        guard median > 100 else {
            session.record(
                DoctorCheck(stage: "auth", name: "repeat requests (validation cached)", outcome: .pass, evidence: evidence))
            return
        }
        session.record(
            DoctorCheck(
                stage: "auth", name: "repeat requests (validation cached)", outcome: .warn, observation: last?.observation,
                evidence: evidence,
                diagnosis: Diagnosis(
                    layer: .gateway,
                    cause:
                        "every request with a known key takes over 100 ms: key validation is not cached, or the key store is slow",
                    fix: "check the gateway's validation cache and auth service latency (/api/health), and the store's /ready")))
    }
}
