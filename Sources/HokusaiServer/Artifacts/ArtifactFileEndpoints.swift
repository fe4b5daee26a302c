import HokusaiCore
import HokusaiStore
import Hummingbird

/// The file routes MLflow serves beside its REST API for the UI: `get-artifact` (a run's file, for
/// the artifact browser's previews), `model-versions/get-artifact` (a registered version's file;
/// the version page reads its MLmodel), and a logged model's `artifacts/files` and
/// `artifacts/directories`. Each route finds its owner's folder first, so the path asked for is
/// only ever looked up inside the artifacts of the run, version or model it names.
struct ArtifactFileEndpoints {
    let store: any ArtifactStore
    let tracking: TrackingService
    let registry: RegistryService

    /// Beside the UI's pages, where MLflow serves it, and under the API prefixes (one UI view asks
    /// `ajax-api/2.0/mlflow/get-artifact`), as every MLflow route is.
    static var runFilePaths: [String] {
        MLflowUIController.prefixes.map { $0 + "/get-artifact" } + MLflowAPI.prefixes.map { $0 + "/get-artifact" }
    }
    static var versionFilePaths: [String] { MLflowUIController.prefixes.map { $0 + "/model-versions/get-artifact" } }
    static var loggedModelFilePaths: [String] { MLflowAPI.prefixes.map { $0 + "/logged-models/:model_id/artifacts/files" } }
    static var loggedModelFolderPaths: [String] {
        MLflowAPI.prefixes.map { $0 + "/logged-models/:model_id/artifacts/directories" }
    }

    func register(on routes: inout RouteRegistrar) {
        let routeTable: [([String], @Sendable (Request, HokusaiRequestContext) async throws -> Response)] = [
            (Self.runFilePaths, runFile), (Self.versionFilePaths, versionFile),
            (Self.loggedModelFilePaths, loggedModelFile), (Self.loggedModelFolderPaths, loggedModelFolder),
        ]
        for (paths, handler) in routeTable {
            for path in paths {
                routes.add(.get, path, requires: .read) { request, context, _ in
                    try await ArtifactEndpoints.mlflowErrors { try await handler(request, context) }
                }
            }
        }
    }

    /// `get-artifact?run_uuid=|run_id=&path=`: a file of a run, relative to its artifact root.
    @Sendable func runFile(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        let parameters = try await MLflowParameters.parse(request, context: context)
        let relative = try ArtifactPath.parse(decoded: try parameters.requiredString("path"))
        let run = try await tracking.run(id: try parameters.runId())
        let root = ArtifactOwner.run(experimentId: run.info.experimentId, runId: run.info.runId).root
        return try await ArtifactEndpoints.fileResponse(store: store, path: root.appending(relative), request: request)
    }

    /// `model-versions/get-artifact?name=&version=&path=`: a file of a version, relative to the
    /// folder its source was resolved to when it was created.
    @Sendable func versionFile(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        let parameters = try await MLflowParameters.parse(request, context: context)
        let relative = try ArtifactPath.parse(decoded: try parameters.requiredString("path"))
        let name = try parameters.requiredString("name")
        let version = try parameters.requiredString("version")
        let location = try await registry.downloadURI(name: name, version: version)
        // Every stored location is `mlflow-artifacts:/<folder>` on this server; anything else is
        // a location this server does not hold, and is never dereferenced.
        guard case .artifacts(let folder)? = try? ModelSource.parse(location) else {
            throw MLflowError.notFound("Model version '\(name)' version \(version) has no files on this server")
        }
        return try await ArtifactEndpoints.fileResponse(store: store, path: folder.appending(relative), request: request)
    }

    /// `logged-models/{id}/artifacts/files?artifact_file_path=`: a file of a logged model.
    @Sendable func loggedModelFile(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        let parameters = try await MLflowParameters.parse(request, context: context)
        guard let raw = try parameters.string("artifact_file_path"), !raw.isEmpty else {
            throw MLflowError.invalid("Request must include the \"artifact_file_path\" query parameter.")
        }
        let relative = try ArtifactPath.parse(decoded: raw)
        let root = Self.root(of: try await loggedModel(context))
        return try await ArtifactEndpoints.fileResponse(store: store, path: root.appending(relative), request: request)
    }

    /// `logged-models/{id}/artifacts/directories?artifact_directory_path=`: the entries of one
    /// folder of a logged model, with paths from the model's artifact root, as MLflow lists them.
    @Sendable func loggedModelFolder(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        let parameters = try await MLflowParameters.parse(request, context: context)
        let relative = try ArtifactPath.parse(decoded: try parameters.string("artifact_directory_path") ?? "")
        let model = try await loggedModel(context)
        let files = try await ArtifactEndpoints.listing(store: store, root: Self.root(of: model), relative: relative)
        var fields: [(String, JSONValue)] = [("root_uri", .string(model.artifactURI))]
        if !files.isEmpty { fields.append(("files", .array(files.map { ArtifactEndpoints.entryJSON($0.entry, path: $0.path) }))) }
        return JSONResponse.make(.object(fields))
    }

    private func loggedModel(_ context: HokusaiRequestContext) async throws -> LoggedModel {
        guard let id = context.parameters.get("model_id"), !id.isEmpty else { throw MLflowError.missing("model_id") }
        return try await tracking.loggedModel(id: id, allowDeleted: false)
    }

    static func root(of model: LoggedModel) -> ArtifactPath {
        ArtifactOwner.loggedModel(experimentId: model.experimentId, modelId: model.modelId).root
    }
}
