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
        let listing = try await self.listing(runId: try p.runId(), path: try p.string("path") ?? "")
        let files = listing.files.map { ArtifactEndpoints.entryJSON($0.entry, path: $0.path) }
        var fields: [(String, JSONValue)] = [("root_uri", .string(listing.rootURI))]
        if !files.isEmpty { fields.append(("files", .array(files))) }
        return .object(fields)
    }

    /// The entries of the run's folder at `path` (relative to the run's artifact root, decoded),
    /// each with its path from that root. Shared with GraphQL's `mlflowListArtifacts`.
    func listing(runId: String, path: String) async throws -> (rootURI: String, files: [(path: String, entry: ArtifactEntry)]) {
        let run = try await tracking.run(id: runId)
        let relative = try ArtifactPath.parse(decoded: path)
        let root = ArtifactOwner.run(experimentId: run.info.experimentId, runId: run.info.runId).root
        return (run.info.artifactURI, try await ArtifactEndpoints.listing(store: store, root: root, relative: relative))
    }
}
