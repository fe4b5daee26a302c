import Crypto
import Foundation
import HokusaiCore
import NIOCore

extension DoctorStages {
    // MARK: artifacts

    static func artifactsStage(_ session: DoctorSession) async {
        guard let root = session.runArtifactsPath else {
            session.skip("artifacts", "upload and download", because: "no run to hold artifacts (see the tracking stage)")
            return
        }
        let probe = session.probe
        for (name, size) in [("small.txt", 64), ("large.bin", 10 << 20)] {
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let path = "\(session.artifacts)/\(root)/doctor/\(name)"
            let put = await probe.send(.PUT, path, bytes: bytes, timeout: .seconds(120))
            guard session.check("artifacts", "upload \(name) (\(size) bytes)", put, passes: { ok($0) }) else { continue }
            let got = await probe.send(.GET, path, timeout: .seconds(120))
            let same = Array(got.body.readableBytesView) == bytes
            session.check(
                "artifacts", "download \(name), same SHA-256", got,
                evidence: "sha256 \(SHA256.hash(data: bytes).prefix(6).map { String(format: "%02x", $0) }.joined())… matches"
            ) { ok($0) && same }
        }
        let listed = await probe.send(.GET, "\(session.artifacts)?path=\(root)/doctor")
        session.check("artifacts", "list the folder", listed) { answer in
            ok(answer)
                && Set(((answer.json["files"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String }) == [
                    "large.bin", "small.txt",
                ]
        }
        session.cleanup.append(("artifacts", { _ = await probe.send(.DELETE, "\(session.artifacts)/\(root)/doctor") }))
    }

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
