import HokusaiCore
import HokusaiStore

/// `GET …/2.0/mlflow/artifacts/list?run_id=&path=`: a run's artifacts, with paths relative to the
/// run's artifact root (the client uses it for runs whose artifact URI it cannot list itself).
struct RunArtifactListEndpoint {
    let store: any ArtifactStore
    let tracking: TrackingService

    var endpoints: [MLflowEndpoint] {
        [MLflowEndpoint(method: .get, path: "artifacts/list", scope: .read, handler: list)]
    }

    @Sendable func list(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let run = try await tracking.run(id: try p.runId())
        let relative = try ArtifactPath.parse(decoded: try p.string("path") ?? "")
        let root = ArtifactOwner.run(experimentId: run.info.experimentId, runId: run.info.runId).root
        let entries = try await store.list(root.appending(relative))
        let files = entries.map { entry in
            ArtifactEndpoints.entryJSON(entry, path: relative.appending(ArtifactPath(unchecked: [entry.name])).description)
        }
        var fields: [(String, JSONValue)] = [("root_uri", .string(run.info.artifactURI))]
        if !files.isEmpty { fields.append(("files", .array(files))) }
        return .object(fields)
    }
}
