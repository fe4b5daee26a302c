import Foundation
import HokusaiCore
import NIOCore

extension DoctorStages {
    // MARK: registry

    static func registry(_ session: DoctorSession) async {
        guard let runId = session.runId, let root = session.runArtifactsPath else {
            session.skip("registry", "register a model", because: "no run to register from (see the tracking stage)")
            return
        }
        let probe = session.probe
        // The version's files: a minimal model folder in the run.
        _ = await probe.send(.PUT, "\(session.artifacts)/\(root)/doctor-model/MLmodel", bytes: Array("flavors: {}\n".utf8))
        let name = "hokusai-doctor-\(UUID().uuidString.prefix(8).lowercased())"
        let created = await probe.send(.POST, "\(session.api)/registered-models/create", json: ["name": name])
        guard session.check("registry", "create a registered model", created, passes: { ok($0) }) else { return }
        session.cleanup.append(
            ("model", { _ = await probe.send(.DELETE, "\(session.api)/registered-models/delete", json: ["name": name]) }))
        let version = await probe.send(
            .POST, "\(session.api)/model-versions/create",
            json: ["name": name, "source": "runs:/\(runId)/doctor-model", "run_id": runId])
        guard
            session.check(
                "registry", "create a version (READY)", version,
                passes: {
                    ok($0) && (($0.json["model_version"] as? [String: Any])?["status"] as? String) == "READY"
                })
        else { return }
        session.registeredModel = name
        session.check(
            "registry", "set an alias",
            await probe.send(
                .POST, "\(session.api)/registered-models/alias", json: ["name": name, "alias": "doctor", "version": "1"])
        ) { ok($0) }
        let uri = await probe.send(.GET, "\(session.api)/model-versions/get-download-uri?name=\(name)&version=1")
        guard session.check("registry", "resolve the download URI", uri, passes: { ok($0) && $0.json["artifact_uri"] != nil }),
            let location = (uri.json["artifact_uri"] as? String).flatMap(artifactPath)
        else { return }
        let file = await probe.send(.GET, "\(session.artifacts)/\(location)/MLmodel")
        session.check("registry", "download the version's files", file) { ok($0) && String(buffer: $0.body) == "flavors: {}\n" }
    }
}
