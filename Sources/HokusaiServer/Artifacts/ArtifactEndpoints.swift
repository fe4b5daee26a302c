import HokusaiCore
import HokusaiStore
import Hummingbird

/// The `mlflow-artifacts` service under every MLflow prefix: PUT (streamed, idempotent
/// overwrite), GET (streamed), list (`?path=`) and DELETE, plus `server-info`. Reads need `read`;
/// writes need `write` and ownership of the run or logged model whose folder the path is in.
struct ArtifactEndpoints {
    let store: any ArtifactStore
    let tracking: TrackingService
    let maximumUploadBytes: Int64

    static var prefixes: [String] { MLflowAPI.prefixes.map { $0 + "-artifacts/artifacts" } }
    static var serverInfoPaths: [String] {
        MLflowAPI.prefixes.map { $0.replacingOccurrences(of: "/2.0/mlflow", with: "/3.0/mlflow") + "/server-info" }
    }

    func register(on routes: inout RouteRegistrar) {
        for prefix in Self.prefixes {
            routes.add(.get, prefix, requires: .read) { request, _, _ in
                try await Self.mlflowErrors { try await list(request) }
            }
            routes.add(.get, prefix + "/**", requires: .read) { request, _, _ in
                try await Self.mlflowErrors { try await download(request, prefix: prefix) }
            }
            routes.add(.put, prefix + "/**", requires: .write) { request, _, key in
                try await Self.mlflowErrors { try await upload(request, key: key, prefix: prefix) }
            }
            routes.add(.delete, prefix + "/**", requires: .write) { request, _, key in
                try await Self.mlflowErrors { try await delete(request, key: key, prefix: prefix) }
            }
        }
        for path in Self.serverInfoPaths {
            routes.add(.get, path, requires: .read) { _, _, _ in JSONResponse.make(Self.serverInfo) }
        }
    }

    /// What this server offers the client's artifact code: plain uploads and downloads through it.
    static let serverInfo = JSONValue.object([
        ("store_type", .string("SqlStore")),
        ("workspaces_enabled", .bool(false)),
        ("multipart_uploads_enabled", .bool(false)),
        ("multipart_downloads_enabled", .bool(false)),
        ("artifact_serving_enabled", .bool(true)),
        ("presigned_upload_run_id_supported", .bool(false)),
        ("presigned_upload_model_id_supported", .bool(false)),
        ("model_artifact_presigned_downloads_supported", .bool(false)),
        ("artifacts_presigned_only", .bool(false)),
    ])

    func list(_ request: Request) async throws -> Response {
        let raw = FormQuery.items(request.uri.query).last { $0.name == "path" }?.value ?? ""
        let path = try ArtifactPath.parse(decoded: raw)
        let entries = try await store.list(path)
        guard !entries.isEmpty else { return JSONResponse.make(MLflowJSON.empty) }
        return JSONResponse.make(.object([("files", .array(entries.map { Self.entryJSON($0, path: $0.name) }))]))
    }

    func download(_ request: Request, prefix: String) async throws -> Response {
        try await Self.fileResponse(store: store, path: try Self.path(of: request, below: prefix), request: request)
    }

    /// The file at `path`, streamed as an attachment (never rendered as a page from our origin), or
    /// the `Range` asked for. Shared with the UI's `get-artifact` routes (`ArtifactFileEndpoints`).
    static func fileResponse(store: any ArtifactStore, path: ArtifactPath, request: Request) async throws -> Response {
        let range = ByteRange.parse(request.headers[.range])
        guard let file = try await store.read(path, range: range) else {
            throw MLflowError.notFound("No artifact at '\(path)'")
        }
        var headers = HTTPFields()
        headers[.acceptRanges] = "bytes"
        if let partial = file.range {
            headers[.contentRange] = "bytes \(partial.bytes.lowerBound)-\(partial.bytes.upperBound)/\(partial.of)"
            headers[.contentType] = Self.contentType(of: path.name)
            return Response(status: .partialContent, headers: headers, body: file.body)
        }
        headers[.contentType] = Self.contentType(of: path.name)
        headers[.contentDisposition] = "attachment; filename=\"\(path.name.replacingOccurrences(of: "\"", with: ""))\""
        return Response(status: .ok, headers: headers, body: file.body)
    }

    func upload(_ request: Request, key: KeyRecord, prefix: String) async throws -> Response {
        let path = try Self.path(of: request, below: prefix)
        if let declared = request.headers[.contentLength].flatMap(Int64.init), declared > maximumUploadBytes {
            throw Self.tooLarge(maximumUploadBytes)
        }
        try await requireOwnership(of: path, key: key)
        _ = try await store.write(path, from: RequestBodyReader.stream(request), maximumBytes: maximumUploadBytes)
        return Response(status: .ok)
    }

    func delete(_ request: Request, key: KeyRecord, prefix: String) async throws -> Response {
        let path = try Self.path(of: request, below: prefix)
        try await requireOwnership(of: path, key: key)
        try await store.delete(path)
        return JSONResponse.make(MLflowJSON.empty)
    }

    /// Writes go only inside a run's or logged model's `artifacts` folder, by its owner or an admin.
    func requireOwnership(of path: ArtifactPath, key: KeyRecord) async throws {
        guard let owner = ArtifactOwner(path: path), path.segments.count > owner.root.segments.count else {
            throw MLflowError.invalid(
                "Invalid path: artifacts are written inside a run's or logged model's artifact folder "
                    + "(<experiment_id>/<run_id>/artifacts/… or <experiment_id>/models/<model_id>/artifacts/…)")
        }
        let actor = TrackingActor(userId: key.userId, isAdmin: key.scopes.isAdmin)
        switch owner {
        case .run(let experimentId, let runId):
            let run = try await tracking.run(id: runId)
            guard run.info.experimentId == experimentId else { throw MLflowError.notFound("Run with id=\(runId) not found") }
            try actor.requireOwnership(of: "Run \(runId)", ownedBy: run.info.ownerUserId)
        case .loggedModel(let experimentId, let modelId):
            let model = try await tracking.loggedModel(id: modelId, allowDeleted: false)
            guard model.experimentId == experimentId else {
                throw MLflowError.notFound("Logged model with ID '\(modelId)' not found.")
            }
            try actor.requireOwnership(of: "Logged model \(modelId)", ownedBy: model.ownerUserId)
        }
    }

    /// The artifact path from the raw (still percent-encoded) request path, below the route's prefix.
    static func path(of request: Request, below prefix: String) throws(MLflowError) -> ArtifactPath {
        let raw = request.uri.path
        guard raw.hasPrefix(prefix + "/") else { throw ArtifactPath.invalid }
        return try ArtifactPath.parse(percentEncoded: raw.dropFirst(prefix.count + 1))
    }

    /// The entries of the folder `relative` below an owner's `root`, each with its path from that root.
    static func listing(store: any ArtifactStore, root: ArtifactPath, relative: ArtifactPath) async throws
        -> [(path: String, entry: ArtifactEntry)]
    {
        try await store.list(root.appending(relative)).map { entry in
            (relative.appending(ArtifactPath(unchecked: [entry.name])).description, entry)
        }
    }

    static func entryJSON(_ entry: ArtifactEntry, path: String) -> JSONValue {
        var fields: [(String, JSONValue)] = [("path", .string(path)), ("is_dir", .bool(entry.isDirectory))]
        if let size = entry.size { fields.append(("file_size", .int64(size))) }
        return .object(fields)
    }

    static func tooLarge(_ limit: Int64) -> APIError {
        APIError(
            status: .contentTooLarge, code: "REQUEST_TOO_LARGE",
            message: "The artifact is larger than this server's maximum upload size of \(limit) bytes "
                + "(set by --max-upload-bytes / HOKUSAI_MAX_UPLOAD_BYTES)",
            mlflowCode: "INVALID_PARAMETER_VALUE")
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last?.lowercased() {
        case "txt", "log", "md", "yaml", "yml", "cfg", "ini", "py", "csv": "text/plain; charset=utf-8"
        case "json": "application/json"
        case "html", "htm": "text/plain; charset=utf-8"  // never rendered as a page from our origin
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        default: name == "MLmodel" ? "text/plain; charset=utf-8" : "application/octet-stream"
        }
    }

    /// Runs `body`, turning the store's and MLflow's errors into MLflow-shaped API errors.
    static func mlflowErrors(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as MLflowError {
            throw APIError(mlflow: error)
        } catch let error as ArtifactStoreError {
            switch error {
            case .invalidPath: throw APIError(mlflow: ArtifactPath.invalid)
            case .isDirectory:
                throw APIError(mlflow: .invalid("The path is a folder; list it with ?path= instead of downloading it"))
            case .conflictsWithExisting(let reason): throw APIError(mlflow: .invalid(reason))
            case .tooLarge(let limit): throw Self.tooLarge(limit)
            case .rangeNotSatisfiable(let size):
                throw APIError(
                    status: .rangeNotSatisfiable, code: "RANGE_NOT_SATISFIABLE",
                    message: "The requested range starts past the end of the file (\(size) bytes)",
                    mlflowCode: "INVALID_PARAMETER_VALUE", headers: [.contentRange: "bytes */\(size)"])
            }
        } catch let failure as S3Failure {
            throw APIError(
                status: failure.httpStatus, code: "ARTIFACT_STORE_UNAVAILABLE", message: failure.message,
                mlflowCode: "TEMPORARILY_UNAVAILABLE")
        }
    }
}
