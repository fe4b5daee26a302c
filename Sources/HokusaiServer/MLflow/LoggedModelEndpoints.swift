import HokusaiCore
import HokusaiStore

/// `logged-models/*` (MLflow 3, required by every `log_model`), `runs/outputs` and `runs/log-inputs`.
struct LoggedModelEndpoints {
    let tracking: TrackingService

    var endpoints: [MLflowEndpoint] {
        [
            MLflowEndpoint(method: .post, path: "logged-models", scope: .write, handler: create),
            MLflowEndpoint(method: .post, path: "logged-models/search", scope: .read, handler: search),
            MLflowEndpoint(method: .get, path: "logged-models/:model_id", scope: .read, handler: get),
            MLflowEndpoint(method: .patch, path: "logged-models/:model_id", scope: .write, handler: finalize),
            MLflowEndpoint(method: .delete, path: "logged-models/:model_id", scope: .write, handler: delete),
            MLflowEndpoint(method: .patch, path: "logged-models/:model_id/tags", scope: .write, handler: setTags),
            MLflowEndpoint(method: .delete, path: "logged-models/:model_id/tags/:tag_key", scope: .write, handler: deleteTag),
            MLflowEndpoint(method: .post, path: "logged-models/:model_id/params", scope: .write, handler: logParams),
            MLflowEndpoint(method: .post, path: "runs/outputs", scope: .write, handler: outputs),
            MLflowEndpoint(method: .post, path: "runs/log-inputs", scope: .write, handler: inputs),
        ]
    }

    @Sendable func create(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let model = try await tracking.createLoggedModel(
            experimentId: try p.requiredString("experiment_id"), name: try p.string("name"),
            sourceRunId: try p.string("source_run_id"),
            modelType: try p.string("model_type"), params: try p.keyValues("params"), tags: try p.keyValues("tags"),
            actor: call.actor)
        return .object([("model", MLflowJSON.loggedModel(model))])
    }

    @Sendable func get(_ call: MLflowCall) async throws -> JSONValue {
        let model = try await tracking.loggedModel(
            id: try call.path("model_id"), allowDeleted: try call.parameters.bool("allow_deleted") ?? false)
        return .object([("model", MLflowJSON.loggedModel(model))])
    }

    @Sendable func finalize(_ call: MLflowCall) async throws -> JSONValue {
        let model = try await tracking.finalizeLoggedModel(
            id: try call.path("model_id"), status: try call.parameters.requiredString("status"), actor: call.actor)
        return .object([("model", MLflowJSON.loggedModel(model))])
    }

    @Sendable func delete(_ call: MLflowCall) async throws -> JSONValue {
        try await tracking.deleteLoggedModel(id: try call.path("model_id"), actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func setTags(_ call: MLflowCall) async throws -> JSONValue {
        try await tracking.setLoggedModelTags(
            id: try call.path("model_id"), try call.parameters.keyValues("tags"), actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func deleteTag(_ call: MLflowCall) async throws -> JSONValue {
        let key = try call.path("tag_key").removingPercentEncoding ?? call.path("tag_key")
        try await tracking.deleteLoggedModelTag(id: try call.path("model_id"), key: key, actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func logParams(_ call: MLflowCall) async throws -> JSONValue {
        try await tracking.logLoggedModelParams(
            id: try call.path("model_id"), try call.parameters.keyValues("params"), actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func search(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let orderings = try p.list("order_by").map { item throws(MLflowError) -> SearchOrdering in
            guard case .object(let fields) = item else { throw MLflowParameters.invalid(item, "order_by") }
            let entry = MLflowParameters(fields)
            let name = try entry.requiredString("field_name")
            return try FilterParser.ordering(
                name + ((try entry.bool("ascending") ?? true) ? " ASC" : " DESC"), schema: .loggedModels)
        }
        let result = try await tracking.searchLoggedModels(
            experimentIds: try p.strings("experiment_ids"), filter: try p.string("filter"), orderings: orderings,
            maxResults: try p.int("max_results"), pageToken: try p.string("page_token"))
        var fields: [(String, JSONValue)] = [("models", .array(result.models.map(MLflowJSON.loggedModel)))]
        if let next = result.nextPageToken { fields.append(("next_page_token", .string(next))) }
        return .object(fields)
    }

    @Sendable func outputs(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let runId = try p.runId()
        let outputs = try p.list("models").map { item throws(MLflowError) -> ModelOutput in
            guard case .object(let fields) = item else { throw MLflowParameters.invalid(item, "models") }
            let entry = MLflowParameters(fields)
            return ModelOutput(modelId: try entry.requiredString("model_id"), step: try entry.int64("step") ?? 0)
        }
        try await tracking.logOutputs(runId: runId, outputs, actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func inputs(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let runId = try p.runId()
        let inputs = try p.list("datasets").map { item throws(MLflowError) -> DatasetInput in
            guard case .object(let fields) = item else { throw MLflowParameters.invalid(item, "datasets") }
            let entry = MLflowParameters(fields)
            guard case .object(let datasetFields)? = entry.raw("dataset") else { throw .missing("datasets.dataset") }
            let dataset = MLflowParameters(datasetFields)
            return DatasetInput(
                name: try dataset.string("name") ?? "", digest: try dataset.string("digest") ?? "",
                sourceType: try dataset.string("source_type") ?? "", source: try dataset.string("source") ?? "",
                schema: try dataset.string("schema"), profile: try dataset.string("profile"), tags: try entry.keyValues("tags"))
        }
        try await tracking.logInputs(runId: runId, inputs, actor: call.actor)
        return MLflowJSON.empty
    }
}
