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
                evidence: "sha256 \(Hex.lowercase(SHA256.hash(data: bytes).prefix(6)))… matches"
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
}
