import Foundation
import HokusaiCore
import SQLKit

extension TrackingService {
    public static let loggedModelSearchDefault = 100
    public static let loggedModelSearchMaximum = 1000

    public func createLoggedModel(
        experimentId rawId: String, name: String?, sourceRunId: String?, modelType: String?, params: [KeyValue], tags: [KeyValue],
        actor: TrackingActor
    ) async throws -> LoggedModel {
        let experimentId = try Self.experimentId(rawId)
        let params = try params.map(Self.validParam)
        let tags = try tags.map(Self.validTag)
        let modelId = "m-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let now = Timestamp.nowMillis()
        let modelName = name.flatMap { $0.isEmpty ? nil : $0 } ?? RunNames.generate()
        return try await database.transaction { [experiments, runs, loggedModels] db in
            guard let experiment = try await experiments.find(id: experimentId, on: db) else {
                throw MLflowError.notFound("No Experiment with id=\(rawId) exists")
            }
            guard experiment.lifecycleStage == .active else {
                throw MLflowError.invalid("The experiment \(rawId) must be in the 'active' state. Current state is deleted.")
            }
            if experiment.id != 0 {
                try actor.requireOwnership(of: "Experiment \(rawId) ('\(experiment.name)')", ownedBy: experiment.ownerUserId)
            }
            if let sourceRunId, !sourceRunId.isEmpty {
                guard let run = try await runs.find(runId: sourceRunId, on: db) else {
                    throw MLflowError.notFound("Run with id=\(sourceRunId) not found")
                }
                try actor.requireOwnership(of: "Run \(sourceRunId)", ownedBy: run.ownerUserId)
            }
            let model = LoggedModel(
                modelId: modelId, experimentId: experimentId, name: modelName, creationTime: now, lastUpdatedTime: now,
                artifactURI: "mlflow-artifacts:/\(experimentId)/models/\(modelId)/artifacts", status: "LOGGED_MODEL_PENDING",
                modelType: modelType ?? "", sourceRunId: sourceRunId.flatMap { $0.isEmpty ? nil : $0 }, lifecycleStage: .active,
                ownerUserId: actor.userId, tags: tags, params: params)
            try await loggedModels.insert(model, on: db)
            return try await loggedModels.find(modelId: modelId, on: db) ?? model
        }
    }

    public func loggedModel(id modelId: String, allowDeleted: Bool) async throws -> LoggedModel {
        let model = try await database.read { [loggedModels] db in try await loggedModels.find(modelId: modelId, on: db) }
        guard let model, allowDeleted || model.lifecycleStage == .active else {
            throw MLflowError.notFound("Logged model with ID '\(modelId)' not found.")
        }
        return model
    }

    /// Applies `change` to a model the actor owns, in a transaction, and returns it as stored after.
    @discardableResult
    public func changeLoggedModel(
        id modelId: String, actor: TrackingActor,
        _ change: @escaping @Sendable (inout LoggedModel, any SQLDatabase) async throws -> Void
    ) async throws -> LoggedModel {
        try await database.transaction { [loggedModels] db in
            guard var model = try await loggedModels.find(modelId: modelId, on: db), model.lifecycleStage == .active else {
                throw MLflowError.notFound("Logged model with ID '\(modelId)' not found.")
            }
            try actor.requireOwnership(of: "Logged model \(modelId)", ownedBy: model.ownerUserId)
            try await change(&model, db)
            model.lastUpdatedTime = Timestamp.nowMillis()
            try await loggedModels.update(model, on: db)
            return try await loggedModels.find(modelId: modelId, on: db) ?? model
        }
    }

    public func finalizeLoggedModel(id modelId: String, status: String, actor: TrackingActor) async throws -> LoggedModel {
        guard LoggedModel.statuses.contains(status) else {
            throw MLflowError.invalid("Invalid value \"\(status)\" for parameter 'status' supplied")
        }
        return try await changeLoggedModel(id: modelId, actor: actor) { model, _ in model.status = status }
    }

    public func setLoggedModelTags(id modelId: String, _ tags: [KeyValue], actor: TrackingActor) async throws {
        let tags = try tags.map(Self.validTag)
        try await changeLoggedModel(id: modelId, actor: actor) { [loggedModels] model, db in
            try await loggedModels.setTags(modelId: modelId, tags, on: db)
        }
    }

    public func deleteLoggedModelTag(id modelId: String, key: String, actor: TrackingActor) async throws {
        try await changeLoggedModel(id: modelId, actor: actor) { [loggedModels] model, db in
            guard model.tags.contains(where: { $0.key == key }) else {
                throw MLflowError.notFound("No tag with key '\(key)' on logged model '\(modelId)'")
            }
            try await loggedModels.deleteTag(modelId: modelId, key: key, on: db)
        }
    }

    public func logLoggedModelParams(id modelId: String, _ params: [KeyValue], actor: TrackingActor) async throws {
        let params = try params.map(Self.validParam)
        try await changeLoggedModel(id: modelId, actor: actor) { [loggedModels] model, db in
            try await loggedModels.setParams(modelId: modelId, params, on: db)
        }
    }

    public func deleteLoggedModel(id modelId: String, actor: TrackingActor) async throws {
        try await changeLoggedModel(id: modelId, actor: actor) { model, _ in model.lifecycleStage = .deleted }
    }

    public func searchLoggedModels(
        experimentIds rawIds: [String], filter: String?, orderings: [SearchOrdering], maxResults: Int?, pageToken: String?
    ) async throws -> (models: [LoggedModel], nextPageToken: String?) {
        let experimentIds = try rawIds.map { raw throws(MLflowError) in try Self.experimentId(raw) }
        let limit = try Self.maxResults(
            maxResults, default: Self.loggedModelSearchDefault, maximum: Self.loggedModelSearchMaximum)
        let offset = try OffsetPageToken.decode(pageToken)
        let query = LoggedModelSearchQuery(
            experimentIds: experimentIds, filter: try FilterParser.parse(filter, schema: .loggedModels), orderings: orderings,
            limit: limit, offset: offset)
        guard !experimentIds.isEmpty else { return ([], nil) }
        let found = try await database.read { [loggedModels] db in
            try await loggedModels.models(ids: try await loggedModels.search(query, on: db), on: db)
        }
        return (found, OffsetPageToken.next(offset: offset, limit: limit, returned: found.count))
    }

    /// `runs/outputs`: the models a run produced, at a step.
    public func logOutputs(runId: String, _ outputs: [ModelOutput], actor: TrackingActor) async throws {
        _ = try await changeRun(runId, actor: actor) { info, db in
            for output in outputs where try await LoggedModelRepository().find(modelId: output.modelId, on: db) == nil {
                throw MLflowError.notFound("Logged model with ID '\(output.modelId)' not found.")
            }
            try await RunIORepository().addOutputs(runId: runId, outputs, on: db)
            return info
        }
    }

    /// `runs/log-inputs`: the datasets a run used.
    public func logInputs(runId: String, _ inputs: [DatasetInput], actor: TrackingActor) async throws {
        for input in inputs { try Self.validateDataset(input) }
        _ = try await changeRun(runId, actor: actor) { info, db in
            try await RunIORepository().addInputs(runId: runId, experimentId: info.experimentId, inputs, on: db)
            return info
        }
    }

    static func validateDataset(_ input: DatasetInput) throws(MLflowError) {
        guard !input.name.isEmpty else { throw .missing("dataset.name") }
        guard !input.digest.isEmpty else { throw .missing("dataset.digest") }
        guard input.name.count <= 500 else { throw .invalid("Dataset name exceeds the maximum length of 500 characters") }
        guard input.digest.count <= 36 else { throw .invalid("Dataset digest exceeds the maximum length of 36 characters") }
        guard (input.schema?.count ?? 0) <= 1_048_575 else {
            throw .invalid("Dataset schema exceeds the maximum length of 1048575 characters")
        }
        for tag in input.tags {
            guard tag.key.count <= 255 else { throw .invalid("Input tag key exceeds the maximum length of 255 characters") }
            guard tag.value.count <= 500 else { throw .invalid("Input tag value exceeds the maximum length of 500 characters") }
        }
    }
}
