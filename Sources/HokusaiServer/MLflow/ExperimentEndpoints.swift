import HokusaiCore
import HokusaiStore

/// `experiments/*`: create, get, get-by-name, search, update (rename), delete, restore and tags.
struct ExperimentEndpoints {
    let tracking: TrackingService

    var endpoints: [MLflowEndpoint] {
        [
            MLflowEndpoint(method: .post, path: "experiments/create", scope: .write, handler: create),
            MLflowEndpoint(method: .get, path: "experiments/get", scope: .read, handler: get),
            MLflowEndpoint(method: .get, path: "experiments/get-by-name", scope: .read, handler: getByName),
            MLflowEndpoint(method: .post, path: "experiments/search", scope: .read, handler: search),
            MLflowEndpoint(method: .get, path: "experiments/search", scope: .read, handler: search),
            MLflowEndpoint(method: .post, path: "experiments/search-datasets", scope: .read, handler: searchDatasets),
            MLflowEndpoint(method: .post, path: "experiments/update", scope: .write, handler: update),
            MLflowEndpoint(method: .post, path: "experiments/delete", scope: .write, handler: delete),
            MLflowEndpoint(method: .post, path: "experiments/restore", scope: .write, handler: restore),
            MLflowEndpoint(method: .post, path: "experiments/set-experiment-tag", scope: .write, handler: setTag),
            MLflowEndpoint(method: .post, path: "experiments/delete-experiment-tag", scope: .write, handler: deleteTag),
        ]
    }

    @Sendable func create(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let id = try await tracking.createExperiment(
            name: try p.string("name") ?? "",
            artifactLocation: try p.string("artifact_location").flatMap { $0.isEmpty ? nil : $0 },
            tags: try p.keyValues("tags"), actor: call.actor)
        return .object([("experiment_id", .string(String(id)))])
    }

    @Sendable func get(_ call: MLflowCall) async throws -> JSONValue {
        let experiment = try await tracking.experiment(id: try call.parameters.requiredString("experiment_id"))
        return .object([("experiment", MLflowJSON.experiment(experiment))])
    }

    @Sendable func getByName(_ call: MLflowCall) async throws -> JSONValue {
        let experiment = try await tracking.experiment(name: try call.parameters.requiredString("experiment_name"))
        return .object([("experiment", MLflowJSON.experiment(experiment))])
    }

    @Sendable func search(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let result = try await tracking.searchExperiments(
            viewType: try Self.viewType(p, "view_type"), filter: try p.string("filter"), orderBy: try p.strings("order_by"),
            maxResults: try p.int("max_results"), pageToken: try p.string("page_token"))
        var fields: [(String, JSONValue)] = [("experiments", .array(result.experiments.map(MLflowJSON.experiment)))]
        if let next = result.nextPageToken { fields.append(("next_page_token", .string(next))) }
        return .object(fields)
    }

    /// The datasets the experiments' runs used, for the runs table's dataset filter.
    @Sendable func searchDatasets(_ call: MLflowCall) async throws -> JSONValue {
        let summaries = try await tracking.searchDatasets(experimentIds: try call.parameters.strings("experiment_ids"))
        guard !summaries.isEmpty else { return MLflowJSON.empty }
        return .object([("dataset_summaries", .array(summaries.map(MLflowJSON.datasetSummary)))])
    }

    @Sendable func update(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let id = try p.requiredString("experiment_id")
        if let name = try p.string("new_name") {
            try await tracking.renameExperiment(id: id, to: name, actor: call.actor)
        }
        return MLflowJSON.empty
    }

    @Sendable func delete(_ call: MLflowCall) async throws -> JSONValue {
        try await tracking.setExperimentStage(
            id: try call.parameters.requiredString("experiment_id"), .deleted, actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func restore(_ call: MLflowCall) async throws -> JSONValue {
        try await tracking.setExperimentStage(id: try call.parameters.requiredString("experiment_id"), .active, actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func setTag(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        try await tracking.setExperimentTag(
            id: try p.requiredString("experiment_id"),
            KeyValue(key: try p.requiredString("key"), value: try p.string("value") ?? ""),
            actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func deleteTag(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        try await tracking.deleteExperimentTag(
            id: try p.requiredString("experiment_id"), key: try p.requiredString("key"), actor: call.actor)
        return MLflowJSON.empty
    }

    static func viewType(_ p: MLflowParameters, _ name: String) throws(MLflowError) -> ViewType {
        guard let raw = try p.string(name) else { return .activeOnly }
        switch raw {
        case "ACTIVE_ONLY", "1": return .activeOnly
        case "DELETED_ONLY", "2": return .deletedOnly
        case "ALL", "3": return .all
        default: throw MLflowParameters.invalid(.string(raw), name)
        }
    }
}
