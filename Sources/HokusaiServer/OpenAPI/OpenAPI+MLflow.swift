import HokusaiCore
import Hummingbird

/// The MLflow REST API (2.0), its artifact service and `server-info` (3.0), under the canonical
/// prefix `/api/mlflow`. The same operations answer under `/api/2.0/mlflow`, `/ajax-api/2.0/mlflow`,
/// `/mlflow/api/2.0/mlflow` and `/api/mlflow/ajax-api/2.0/mlflow`, which the document does not repeat.
extension OpenAPIDocument {
    static let mlflowPrefix = "/api/mlflow/api/2.0/mlflow"

    static func mlflow(
        _ method: HTTPRequest.Method, _ path: String, _ scope: Scope, _ summary: String,
        query: [APIOperation.QueryParameter] = [], body: JSONLiteral? = nil, reply: JSONLiteral = Schema.object()
    ) -> APIOperation {
        APIOperation(
            method: method, path: "\(mlflowPrefix)/\(path)", access: .key(scope), tag: "mlflow", summary: summary,
            query: query, body: body ?? (method == .get ? nil : Schema.object()), bodyRequired: body != nil,
            replies: [.init(status: 200, description: "Done", schema: reply)])
    }

    static func required(_ name: String, _ schema: JSONLiteral = Schema.string) -> APIOperation.QueryParameter {
        .init(name: name, schema: schema, required: true)
    }
    static func optional(_ name: String, _ schema: JSONLiteral = Schema.string) -> APIOperation.QueryParameter {
        .init(name: name, schema: schema)
    }
    static let searchQuery: [APIOperation.QueryParameter] = [
        optional("filter"), optional("max_results", Schema.maxResults), optional("order_by", Schema.array(Schema.string)),
        optional("page_token"),
    ]
    static let searchBody: [(String, JSONLiteral)] = [
        ("filter", Schema.string), ("max_results", Schema.maxResults), ("order_by", Schema.array(Schema.string)),
        ("page_token", Schema.string),
    ]
    static func page(_ name: String, of item: String) -> JSONLiteral {
        Schema.object([name: Schema.array(Schema.ref(item)), "next_page_token": Schema.string])
    }
    static func one(_ name: String, _ item: String) -> JSONLiteral { Schema.object(required: [name], [name: Schema.ref(item)]) }
    static let keyValue = Schema.object(required: ["key", "value"], ["key": Schema.entryKey, "value": Schema.string])
    static func body(required: [String] = [], _ properties: [(String, JSONLiteral)]) -> JSONLiteral {
        var fields: [(String, JSONValue)] = [("type", .string("object"))]
        fields.append(("properties", .object(properties.map { ($0.0, $0.1.value) })))
        if !required.isEmpty { fields.append(("required", .array(required.map { .string($0) }))) }
        return JSONLiteral(.object(fields))
    }

    static let experimentOperations: [APIOperation] = [
        mlflow(
            .post, "experiments/create", .write, "Create an experiment",
            body: body(
                required: ["name"],
                [("name", Schema.name), ("artifact_location", Schema.string), ("tags", Schema.array(keyValue))]),
            reply: Schema.object(required: ["experiment_id"], ["experiment_id": Schema.string])),
        mlflow(
            .post, "experiments/search-datasets", .read,
            "The datasets the experiments' runs used, once per context (at most 20 experiments, 1,000 summaries)",
            body: body(required: ["experiment_ids"], [("experiment_ids", Schema.array(Schema.experimentId))]),
            reply: Schema.object(["dataset_summaries": Schema.array(Schema.object())])),
        mlflow(
            .get, "experiments/get", .read, "Get an experiment by id", query: [required("experiment_id", Schema.experimentId)],
            reply: one("experiment", "Experiment")),
        mlflow(
            .get, "experiments/get-by-name", .read, "Get an experiment by name", query: [required("experiment_name")],
            reply: one("experiment", "Experiment")),
        mlflow(
            .post, "experiments/search", .read, "Search experiments",
            body: body(searchBody + [("view_type", viewType)]), reply: page("experiments", of: "Experiment")),
        mlflow(
            .get, "experiments/search", .read, "Search experiments", query: searchQuery + [optional("view_type", viewType)],
            reply: page("experiments", of: "Experiment")),
        mlflow(
            .post, "experiments/update", .write, "Rename an experiment",
            body: body(required: ["experiment_id"], [("experiment_id", Schema.experimentId), ("new_name", Schema.name)])),
        mlflow(
            .post, "experiments/delete", .write, "Delete an experiment (restorable)",
            body: body(required: ["experiment_id"], [("experiment_id", Schema.experimentId)])),
        mlflow(
            .post, "experiments/restore", .write, "Restore a deleted experiment",
            body: body(required: ["experiment_id"], [("experiment_id", Schema.experimentId)])),
        mlflow(
            .post, "experiments/set-experiment-tag", .write, "Set an experiment tag",
            body: body(
                required: ["experiment_id", "key", "value"],
                [("experiment_id", Schema.experimentId), ("key", Schema.entryKey), ("value", Schema.string)])),
        mlflow(
            .post, "experiments/delete-experiment-tag", .write, "Delete an experiment tag",
            body: body(required: ["experiment_id", "key"], [("experiment_id", Schema.experimentId), ("key", Schema.entryKey)])),
    ]

    static let viewType = Schema.enumeration(["ACTIVE_ONLY", "DELETED_ONLY", "ALL"])
    static let runIdentity: [(String, JSONLiteral)] = [("run_id", Schema.runId), ("run_uuid", Schema.runId)]

    static let runOperations: [APIOperation] = [
        mlflow(
            .post, "runs/create", .write, "Start a run",
            body: body([
                ("experiment_id", Schema.experimentId), ("user_id", Schema.string), ("run_name", Schema.string),
                ("start_time", Schema.int64), ("tags", Schema.array(keyValue)),
            ]),
            reply: one("run", "Run")),
        mlflow(
            .get, "runs/get", .read, "Get a run", query: [optional("run_id", Schema.runId), optional("run_uuid", Schema.runId)],
            reply: one("run", "Run")),
        mlflow(
            .post, "runs/update", .write, "Change a run's status, end time or name",
            body: body(
                runIdentity + [
                    ("status", Schema.enumeration(["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"])),
                    ("end_time", Schema.int64), ("run_name", Schema.string),
                ]),
            reply: Schema.object(required: ["run_info"], ["run_info": Schema.ref("RunInfo")])),
        mlflow(.post, "runs/delete", .write, "Delete a run (restorable)", body: body(required: ["run_id"], runIdentity)),
        mlflow(.post, "runs/restore", .write, "Restore a deleted run", body: body(required: ["run_id"], runIdentity)),
        mlflow(
            .post, "runs/log-metric", .write, "Log a metric value",
            body: body(
                required: ["run_id", "key", "value", "timestamp"],
                runIdentity + [
                    ("key", Schema.entryKey), ("value", Schema.metricValue), ("timestamp", Schema.int64), ("step", Schema.int64),
                    ("model_id", Schema.string), ("dataset_name", Schema.string), ("dataset_digest", Schema.string),
                ])),
        mlflow(
            .post, "runs/log-parameter", .write, "Log a parameter",
            body: body(required: ["run_id", "key", "value"], runIdentity + [("key", Schema.entryKey), ("value", Schema.string)])),
        mlflow(
            .post, "runs/set-tag", .write, "Set a run tag",
            body: body(required: ["run_id", "key", "value"], runIdentity + [("key", Schema.entryKey), ("value", Schema.string)])),
        mlflow(
            .post, "runs/delete-tag", .write, "Delete a run tag",
            body: body(required: ["run_id", "key"], [("run_id", Schema.runId), ("key", Schema.entryKey)])),
        mlflow(
            .post, "runs/log-batch", .write, "Log metrics, parameters and tags at once",
            body: body(
                required: ["run_id"],
                [
                    ("run_id", Schema.runId), ("metrics", Schema.array(Schema.ref("Metric"))),
                    ("params", Schema.array(keyValue)), ("tags", Schema.array(keyValue)),
                ])),
        mlflow(
            .post, "runs/search", .read, "Search runs",
            body: body(searchBody + [("experiment_ids", Schema.array(Schema.string)), ("run_view_type", viewType)]),
            reply: page("runs", of: "Run")),
        mlflow(
            .get, "metrics/get-history", .read, "A metric's values over time",
            query: [
                optional("run_id", Schema.runId), optional("run_uuid", Schema.runId), required("metric_key", Schema.entryKey),
                optional("max_results", Schema.maxResults),
                optional("page_token"),
            ],
            reply: page("metrics", of: "Metric")),
        mlflow(
            .get, "metrics/get-history-bulk-interval", .read,
            "One metric of up to 100 runs for a chart, each run's history sampled evenly to max_results points (first and last kept)",
            query: [
                required("run_ids", Schema.array(Schema.runId)), required("metric_key", Schema.entryKey),
                optional("start_step", Schema.integer), optional("end_step", Schema.integer),
                optional("max_results", ["type": "integer", "minimum": 1, "maximum": 2500]),
            ],
            reply: Schema.object(["metrics": Schema.array(Schema.object())])),
        mlflow(
            .post, "runs/outputs", .write, "Link a run to the logged models it produced",
            body: body(
                required: ["run_id"],
                [
                    ("run_id", Schema.runId),
                    (
                        "models",
                        Schema.array(Schema.object(required: ["model_id"], ["model_id": Schema.string, "step": Schema.int64]))
                    ),
                ])),
        mlflow(
            .post, "runs/log-inputs", .write, "Log a run's datasets and input models",
            body: body(
                required: ["run_id"],
                [
                    ("run_id", Schema.runId), ("datasets", Schema.array(Schema.object())),
                    ("models", Schema.array(Schema.object())),
                ])),
    ]

    static let loggedModelOperations: [APIOperation] = [
        mlflow(
            .post, "logged-models", .write, "Create a logged model",
            body: body(
                required: ["experiment_id"],
                [
                    ("experiment_id", Schema.experimentId), ("name", Schema.name), ("model_type", Schema.string),
                    ("source_run_id", Schema.string), ("params", Schema.array(keyValue)), ("tags", Schema.array(keyValue)),
                ]),
            reply: one("model", "LoggedModel")),
        mlflow(
            .post, "logged-models/search", .read, "Search logged models",
            body: body(searchBody + [("experiment_ids", Schema.array(Schema.string))]), reply: page("models", of: "LoggedModel")),
        mlflow(.get, "logged-models/{model_id}", .read, "Get a logged model", reply: one("model", "LoggedModel")),
        mlflow(
            .patch, "logged-models/{model_id}", .write, "Finalize a logged model",
            body: body([("status", Schema.enumeration(["LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"]))]),
            reply: one("model", "LoggedModel")),
        mlflow(.delete, "logged-models/{model_id}", .write, "Delete a logged model"),
        mlflow(
            .patch, "logged-models/{model_id}/tags", .write, "Set logged-model tags",
            body: body([("tags", Schema.array(keyValue))])),
        mlflow(.delete, "logged-models/{model_id}/tags/{tag_key}", .write, "Delete a logged-model tag"),
        mlflow(
            .post, "logged-models/{model_id}/params", .write, "Log logged-model parameters",
            body: body([("params", Schema.array(keyValue))])),
    ]

    static let nameBody = body(required: ["name"], [("name", Schema.name)])
    static let versionBody: [(String, JSONLiteral)] = [("name", Schema.name), ("version", Schema.versionNumber)]

    static let registeredModelOperations: [APIOperation] = [
        mlflow(
            .post, "registered-models/create", .write, "Create a registered model",
            body: body(
                required: ["name"], [("name", Schema.name), ("description", Schema.string), ("tags", Schema.array(keyValue))]),
            reply: one("registered_model", "RegisteredModel")),
        mlflow(
            .get, "registered-models/get", .read, "Get a registered model", query: [required("name", Schema.name)],
            reply: one("registered_model", "RegisteredModel")),
        mlflow(
            .get, "registered-models/search", .read, "Search registered models", query: searchQuery,
            reply: page("registered_models", of: "RegisteredModel")),
        mlflow(
            .post, "registered-models/search", .read, "Search registered models", body: body(searchBody),
            reply: page("registered_models", of: "RegisteredModel")),
        mlflow(
            .patch, "registered-models/update", .write, "Change a registered model's description",
            body: body(required: ["name"], [("name", Schema.name), ("description", Schema.string)]),
            reply: one("registered_model", "RegisteredModel")),
        mlflow(
            .post, "registered-models/rename", .write, "Rename a registered model",
            body: body(required: ["name", "new_name"], [("name", Schema.name), ("new_name", Schema.name)]),
            reply: one("registered_model", "RegisteredModel")),
        mlflow(.delete, "registered-models/delete", .write, "Delete a registered model and its versions", body: nameBody),
        mlflow(
            .post, "registered-models/set-tag", .write, "Set a registered-model tag",
            body: body(
                required: ["name", "key", "value"], [("name", Schema.name), ("key", Schema.entryKey), ("value", Schema.string)])),
        mlflow(
            .delete, "registered-models/delete-tag", .write, "Delete a registered-model tag",
            body: body(required: ["name", "key"], [("name", Schema.name), ("key", Schema.entryKey)])),
        mlflow(
            .post, "registered-models/get-latest-versions", .read, "The latest version in each stage",
            body: body(required: ["name"], [("name", Schema.name), ("stages", Schema.array(Schema.string))]),
            reply: Schema.object(["model_versions": Schema.array(Schema.ref("ModelVersion"))])),
        mlflow(
            .get, "registered-models/get-latest-versions", .read, "The latest version in each stage",
            query: [required("name", Schema.name), optional("stages", Schema.array(Schema.string))],
            reply: Schema.object(["model_versions": Schema.array(Schema.ref("ModelVersion"))])),
        mlflow(
            .post, "registered-models/alias", .write, "Point an alias at a version",
            body: body(
                required: ["name", "alias", "version"],
                [("name", Schema.name), ("alias", Schema.alias), ("version", Schema.versionNumber)])),
        mlflow(
            .get, "registered-models/alias", .read, "The version an alias points at",
            query: [required("name", Schema.name), required("alias", Schema.alias)], reply: one("model_version", "ModelVersion")),
        mlflow(
            .delete, "registered-models/alias", .write, "Remove an alias",
            body: body(required: ["name", "alias"], [("name", Schema.name), ("alias", Schema.alias)])),
    ]

    static let modelVersionOperations: [APIOperation] = [
        mlflow(
            .post, "model-versions/create", .write, "Create a model version",
            body: body(
                required: ["name", "source"],
                [
                    ("name", Schema.name), ("source", Schema.string), ("run_id", Schema.runId),
                    ("description", Schema.string), ("tags", Schema.array(keyValue)), ("model_id", Schema.string),
                ]),
            reply: one("model_version", "ModelVersion")),
        mlflow(
            .get, "model-versions/get", .read, "Get a model version",
            query: [required("name", Schema.name), required("version", Schema.versionNumber)],
            reply: one("model_version", "ModelVersion")),
        mlflow(
            .patch, "model-versions/update", .write, "Change a version's description",
            body: body(required: ["name", "version"], versionBody + [("description", Schema.string)]),
            reply: one("model_version", "ModelVersion")),
        mlflow(
            .delete, "model-versions/delete", .write, "Delete a model version",
            body: body(required: ["name", "version"], versionBody)),
        mlflow(
            .get, "model-versions/search", .read, "Search model versions", query: searchQuery,
            reply: page("model_versions", of: "ModelVersion")),
        mlflow(
            .post, "model-versions/search", .read, "Search model versions", body: body(searchBody),
            reply: page("model_versions", of: "ModelVersion")),
        mlflow(
            .post, "model-versions/set-tag", .write, "Set a model-version tag",
            body: body(
                required: ["name", "version", "key", "value"], versionBody + [("key", Schema.entryKey), ("value", Schema.string)])
        ),
        mlflow(
            .delete, "model-versions/delete-tag", .write, "Delete a model-version tag",
            body: body(required: ["name", "version", "key"], versionBody + [("key", Schema.entryKey)])),
        mlflow(
            .post, "model-versions/transition-stage", .write, "Move a version to a stage (deprecated by MLflow for aliases)",
            body: body(
                required: ["name", "version", "stage"],
                versionBody + [
                    ("stage", Schema.stage),
                    ("archive_existing_versions", Schema.boolean),
                ]),
            reply: one("model_version", "ModelVersion")),
        mlflow(
            .get, "model-versions/get-download-uri", .read, "Where a version's files are",
            query: [required("name", Schema.name), required("version", Schema.versionNumber)],
            reply: Schema.object(required: ["artifact_uri"], ["artifact_uri": Schema.string])),
        mlflow(
            .get, "artifacts/list", .read, "List a run's artifacts",
            query: [
                optional("run_id", Schema.runId), optional("run_uuid", Schema.runId), optional("path"), optional("page_token"),
            ],
            reply: Schema.object([
                "root_uri": Schema.string, "files": Schema.array(Schema.ref("FileInfo")), "next_page_token": Schema.string,
            ])),
    ]

    static let artifactPrefix = "/api/mlflow/api/2.0/mlflow-artifacts/artifacts"

    static let artifactOperations: [APIOperation] = [
        APIOperation(
            method: .get, path: artifactPrefix, access: .key(.read), tag: "artifacts",
            summary: "List the artifacts under a path", query: [optional("path")],
            replies: [
                .init(
                    status: 200, description: "Entries",
                    schema: Schema.object(["files": Schema.array(Schema.ref("FileInfo"))]))
            ]),
        APIOperation(
            method: .get, path: "\(artifactPrefix)/{artifact_path}", access: .key(.read), tag: "artifacts",
            summary: "Download an artifact (the path may span several segments: `0/<run>/artifacts/model.pkl`)",
            replies: [
                .init(status: 200, description: "The file's bytes", mediaType: "*/*"),
                .init(status: 206, description: "The bytes a single `Range: bytes=…` asked for", mediaType: "*/*"),
                .init(
                    status: 416, description: "The range starts past the end of the file",
                    schema: Schema.ref("MLflowError")),
            ]),
        APIOperation(
            method: .put, path: "\(artifactPrefix)/{artifact_path}", access: .key(.write), tag: "artifacts",
            summary: "Upload an artifact, replacing any at that path", rawBody: "application/octet-stream",
            replies: [
                .init(status: 200, description: "Stored", schema: Schema.object()),
                .init(status: 413, description: "Larger than --max-upload-bytes", schema: Schema.ref("MLflowError")),
                .init(
                    status: 503, description: "The artifact store (S3) refused or could not be reached; the message names why",
                    schema: Schema.ref("MLflowError")),
                .init(
                    status: 504, description: "The artifact store (S3) did not answer in time", schema: Schema.ref("MLflowError")),
            ]),
        APIOperation(
            method: .delete, path: "\(artifactPrefix)/{artifact_path}", access: .key(.write), tag: "artifacts",
            summary: "Delete an artifact or a folder of them",
            replies: [.init(status: 200, description: "Deleted", schema: Schema.object())]),
        APIOperation(
            method: .get, path: "/api/mlflow/api/3.0/mlflow/server-info", access: .key(.read), tag: "mlflow",
            summary: "What this server stores (MLflow 3's server-info)",
            replies: [.init(status: 200, description: "Server info", schema: Schema.object())]),
        APIOperation(
            method: .get, path: "/api/mlflow/api/2.0/mlflow/users/current", access: .key(.read), tag: "mlflow",
            summary: "Who the key or browser session belongs to, as MLflow's auth app answers",
            replies: [.init(status: 200, description: "The user: id, username, is_admin", schema: Schema.object())]),
    ]

    static let fileReplies: [APIOperation.Reply] = [
        .init(status: 200, description: "The file's bytes, as an attachment", mediaType: "*/*"),
        .init(status: 206, description: "The bytes a single `Range: bytes=…` asked for", mediaType: "*/*"),
        .init(status: 404, description: "No such run, version, model or file", schema: Schema.ref("MLflowError")),
    ]

    /// A GET answering one file, as attachment or range (`fileReplies`).
    static func fileOperation(_ path: String, _ summary: String, query: [APIOperation.QueryParameter]) -> APIOperation {
        APIOperation(
            method: .get, path: path, access: .key(.read), tag: "artifacts", summary: summary, query: query,
            replies: fileReplies)
    }

    /// The files the UI's artifact browser and version page preview, as MLflow serves them beside its API.
    static let artifactFileOperations: [APIOperation] =
        Array(Set(ArtifactFileEndpoints.runFilePaths.map(canonical))).sorted().map { path in
            fileOperation(
                path, "A file of a run, by its path from the run's artifact root (the UI's previews)",
                query: [optional("run_uuid", Schema.runId), optional("run_id", Schema.runId), required("path", Schema.string)])
        }
        + ArtifactFileEndpoints.versionFilePaths.map { path in
            fileOperation(
                path, "A file of a model version, by its path from the version's folder (the UI reads MLmodel)",
                query: [
                    required("name", Schema.name), required("version", Schema.versionNumber), required("path", Schema.string),
                ])
        } + [
            fileOperation(
                "/api/mlflow/api/2.0/mlflow/logged-models/{model_id}/artifacts/files", "A file of a logged model",
                query: [required("artifact_file_path", Schema.string)]),
            APIOperation(
                method: .get, path: "/api/mlflow/api/2.0/mlflow/logged-models/{model_id}/artifacts/directories",
                access: .key(.read), tag: "artifacts", summary: "List one folder of a logged model's artifacts",
                query: [optional("artifact_directory_path")],
                replies: [
                    .init(
                        status: 200, description: "The folder's entries, with paths from the model's artifact root",
                        schema: Schema.object(["root_uri": Schema.string, "files": Schema.array(Schema.ref("FileInfo"))]))
                ]),
        ]

    /// The GenAI features this server does not offer, answered as an MLflow server with none configured.
    static let genAIUnavailableOperations: [APIOperation] =
        [
            APIOperation(
                method: .get, path: "/api/mlflow/api/3.0/mlflow/assistant/config", access: .key(.read), tag: "mlflow",
                summary: "The MLflow assistant's configuration: none (this server offers no assistant)",
                replies: [
                    .init(
                        status: 200, description: "{providers: {}, projects: {}, remote_access_allowed: false}",
                        schema: Schema.object())
                ]),
            APIOperation(
                method: .get, path: "/api/mlflow/api/3.0/mlflow/assistant/providers", access: .key(.read), tag: "mlflow",
                summary: "The MLflow assistant's providers: none",
                replies: [
                    .init(
                        status: 200, description: "{providers: [], resolved: null, gateway_vendor_options: {}}",
                        schema: Schema.object())
                ]),
        ]
        + [HTTPRequest.Method.get, .post].map { method in
            APIOperation(
                method: method, path: "/api/mlflow/api/2.0/mlflow/gateway-proxy", access: .key(.read), tag: "mlflow",
                summary: "MLflow's AI-gateway proxy with no gateway configured",
                replies: [.init(status: 200, description: "{endpoints: []}", schema: Schema.object())])
        }

    /// An `ajax-api` path as the document writes MLflow paths (under `/api/mlflow/api`); others as they are.
    static func canonical(_ path: String) -> String {
        guard let range = path.range(of: "/2.0/mlflow/") else { return path }
        return "/api/mlflow/api" + path[range.lowerBound...]
    }

    /// MLflow's GraphQL endpoint, where the UI's run page, runs table and charts read; answered
    /// under the three prefixes the UI may be served from.
    static let graphQLOperations: [APIOperation] = GraphQLEndpoint.paths.map { path in
        APIOperation(
            method: .post, path: path, access: .key(.read), tag: "mlflow",
            summary: "MLflow's GraphQL queries (mlflowGetRun, mlflowSearchRuns, mlflowGetExperiment, "
                + "mlflowGetMetricHistoryBulkInterval, …); an MLflow error comes back in the field's apiError",
            body: body(
                required: ["query"],
                [("query", Schema.string), ("variables", Schema.object()), ("operationName", Schema.string)]),
            bodyRequired: true,
            replies: [
                .init(
                    status: 200, description: "{data, errors}: errors is null or the messages of the fields that failed",
                    schema: Schema.object()),
                .init(
                    status: 400,
                    description: "The document does not parse, does not validate, or passes the limits (depth 10, "
                        + "1,000 selections, 10 root fields, 10 aliases); nothing of it ran",
                    schema: Schema.object()),
            ])
    }

    static var mlflowOperations: [APIOperation] {
        experimentOperations + runOperations + loggedModelOperations + registeredModelOperations + modelVersionOperations
            + artifactOperations + artifactFileOperations + graphQLOperations
            + genAIUnavailableOperations
    }
}
