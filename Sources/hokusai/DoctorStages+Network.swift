import Foundation
import HokusaiCore

extension DoctorStages {
    /// DNS, then TCP, then TLS (for https), each its own check: the first that fails is the finding.
    static func network(_ session: DoctorSession) async {
        guard let url = URL(string: session.probe.baseURL), let host = url.host, let scheme = url.scheme?.lowercased() else {
            session.fail(
                "infra", "URL", evidence: "'\(session.probe.baseURL)' is not an http(s) URL with a host",
                diagnosis: Diagnosis(layer: .network, cause: "the URL cannot be used", fix: "pass --url http(s)://host[:port]"))
            session.unreachable = "the URL cannot be used"
            return
        }
        let bareHost = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let (lookup, addresses) = DoctorNetwork.resolve(bareHost)
        guard lookup.ok, let address = addresses.first else {
            record(session, "DNS", lookup, Diagnoser.dns(host: bareHost, detail: lookup.reason))
            session.unreachable = "\(bareHost) does not resolve"
            return
        }
        record(session, "DNS", lookup, nil)
        let tcp = await DoctorNetwork.connect(address: address, port: port, tlsHost: nil)
        guard tcp.ok else {
            record(session, "TCP connect", tcp, Diagnoser.tcp(address: "\(address):\(port)", detail: tcp.detail))
            session.unreachable = "nothing accepts connections at \(address):\(port)"
            return
        }
        record(session, "TCP connect", tcp, nil)
        guard scheme == "https" else { return }
        var tls = await DoctorNetwork.connect(address: address, port: port, tlsHost: bareHost)
        if !tls.ok { tls.detail = "TLS handshake with \(address):\(port) failed: \(Diagnoser.tlsReason(tls.detail))" }
        record(session, "TLS handshake", tls, tls.ok ? nil : Diagnoser.tls(host: bareHost, detail: tls.detail))
        if !tls.ok { session.unreachable = "TLS to \(bareHost) fails" }
    }

    private static func record(_ session: DoctorSession, _ name: String, _ step: DoctorNetwork.Step, _ diagnosis: Diagnosis?) {
        session.record(
            DoctorCheck(
                stage: "infra", name: name, outcome: step.ok ? .pass : .fail,
                evidence: String(format: "%@ (%.1f ms)", step.detail, step.latencyMs), diagnosis: diagnosis))
    }
}
