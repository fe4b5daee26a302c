import Foundation
import HokusaiCore

extension DoctorStages {
    /// With `--auth-url`: the auth service a gateway uses, checked directly, so an outage there is
    /// told apart from a gateway or key problem.
    static func authService(_ session: DoctorSession, url: String) async {
        let direct = DoctorProbe(baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url, key: session.probe.key)
        await checkAuthService(session, direct, url: url)
        await direct.shutdown()
    }

    static func checkAuthService(_ session: DoctorSession, _ direct: DoctorProbe, url: String) async {
        let health = await direct.send(.GET, "/health", credential: .none)
        session.check(
            "auth", "auth service health (\(url))", health,
            diagnose: { observation in
                Diagnosis(
                    layer: .authService,
                    cause: "the auth service at \(url) does not answer its health probe: "
                        + (observation.transportError.map { String($0.prefix(160)) } ?? "status \(observation.status ?? 0)"),
                    fix: "start it (hokusai serve --role auth) or fix the gateways' --auth-url")
            }
        ) { ok($0) }
        guard health.observation.transportError == nil, direct.key != nil else { return }
        let validation = await direct.send(.POST, "/api/v1/keys/validate", json: ["service_id": session.serviceId])
        session.check(
            "auth", "auth service validates the key", validation,
            diagnose: { observation in
                (observation.status ?? 500) >= 500
                    ? Diagnosis(
                        layer: .authService, cause: "the auth service fails to validate (\(observation.status ?? 0))",
                        fix: "read the auth service's log; check its key store (/ready)")
                    : nil
            }
        ) { ok($0) && ($0.json["is_valid"] as? Bool) == true }
    }
}
