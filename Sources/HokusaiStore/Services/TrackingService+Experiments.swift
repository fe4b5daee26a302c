import HokusaiCore
import SQLKit

extension TrackingService {
    public static let experimentSearchDefault = 1000
    public static let experimentSearchMaximum = 50000

    public func createExperiment(
        name: String, artifactLocation: String?, tags: [KeyValue], actor: TrackingActor
    ) async throws -> Int64 {
        let name = try Self.validExperimentName(name)
        for tag in tags { try Self.validateExperimentTag(tag) }
        let now = Timestamp.nowMillis()
        return try await database.transaction { [experiments] db in
            if try await experiments.find(name: name, on: db) != nil {
                throw MLflowError(.resourceAlreadyExists, "Experiment(name=\(name)) already exists.")
            }
            let id = try await experiments.nextId(on: db)
            let location = "mlflow-artifacts:/\(id)"
            if let artifactLocation, artifactLocation != location {
                throw MLflowError.invalid(
                    "artifact_location '\(artifactLocation)' is not accepted: this server stores artifacts itself, "
                        + "and an experiment's location is always \(location)")
            }
            try await experiments.insert(
                Experiment(
                    id: id, name: name, artifactLocation: location, lifecycleStage: .active, creationTime: now,
                    lastUpdateTime: now, ownerUserId: actor.userId, tags: tags),
                on: db)
            return id
        }
    }

    public func experiment(id rawId: String) async throws -> Experiment {
        let id = try Self.experimentId(rawId)
        guard let experiment = try await database.read({ [experiments] db in try await experiments.find(id: id, on: db) }) else {
            throw MLflowError.notFound("No Experiment with id=\(rawId) exists")
        }
        return experiment
    }

    public func experiment(name: String) async throws -> Experiment {
        guard let experiment = try await database.read({ [experiments] db in try await experiments.find(name: name, on: db) })
        else {
            throw MLflowError.notFound("Could not find experiment with name '\(name)'")
        }
        return experiment
    }

    public func searchExperiments(
        viewType: ViewType, filter: String?, orderBy: [String], maxResults: Int?, pageToken: String?
    ) async throws -> (experiments: [Experiment], nextPageToken: String?) {
        let limit = try Self.maxResults(maxResults, default: Self.experimentSearchDefault, maximum: Self.experimentSearchMaximum)
        let offset = try OffsetPageToken.decode(pageToken)
        let query = ExperimentSearchQuery(
            stages: viewType.stages, filter: try FilterParser.parse(filter, schema: .experiments),
            orderings: try orderBy.map { clause throws(MLflowError) in try FilterParser.ordering(clause, schema: .experiments) },
            limit: limit, offset: offset)
        let found = try await database.read { [experiments] db in try await experiments.search(query, on: db) }
        return (found, OffsetPageToken.next(offset: offset, limit: limit, returned: found.count))
    }

    public static let datasetSearchMaximumExperiments = 20
    public static let datasetSummariesMaximum = 1000

    /// The datasets the experiments' runs used (the UI's dataset filter), as MLflow lists them.
    public func searchDatasets(experimentIds rawIds: [String]) async throws -> [DatasetSummary] {
        guard !rawIds.isEmpty else {
            throw MLflowError.invalid("SearchDatasets request must specify at least one experiment_id.")
        }
        guard rawIds.count <= Self.datasetSearchMaximumExperiments else {
            throw MLflowError.invalid(
                "SearchDatasets request cannot specify more than \(Self.datasetSearchMaximumExperiments) experiment_ids. Received \(rawIds.count) experiment_ids."
            )
        }
        let ids = try rawIds.map { raw throws(MLflowError) in try Self.experimentId(raw) }
        return try await database.read { db in
            try await RunIORepository().datasetSummaries(experimentIds: ids, limit: Self.datasetSummariesMaximum, on: db)
        }
    }

    public func renameExperiment(id rawId: String, to newName: String, actor: TrackingActor) async throws {
        let name = try Self.validExperimentName(newName)
        try await changeExperiment(rawId, actor: actor) { [experiments] experiment, db, now in
            if let other = try await experiments.find(name: name, on: db), other.id != experiment.id {
                throw MLflowError(.resourceAlreadyExists, "Experiment(name=\(name)) already exists.")
            }
            try await experiments.rename(id: experiment.id, to: name, at: now, on: db)
        }
    }

    public func setExperimentStage(id rawId: String, _ stage: LifecycleStage, actor: TrackingActor) async throws {
        try await changeExperiment(rawId, actor: actor, allowDeleted: true) { [experiments] experiment, db, now in
            if experiment.id == 0, stage == .deleted {
                throw MLflowError.invalid("Cannot delete the default experiment '0'. This is an internally reserved experiment.")
            }
            try await experiments.setStage(id: experiment.id, stage, at: now, on: db)
        }
    }

    public func setExperimentTag(id rawId: String, _ tag: KeyValue, actor: TrackingActor) async throws {
        try Self.validateExperimentTag(tag)
        try await changeExperiment(rawId, actor: actor) { [experiments] experiment, db, _ in
            try await experiments.setTag(experimentId: experiment.id, tag, on: db)
        }
    }

    public func deleteExperimentTag(id rawId: String, key: String, actor: TrackingActor) async throws {
        try await changeExperiment(rawId, actor: actor) { [experiments] experiment, db, _ in
            guard try await experiments.deleteTag(experimentId: experiment.id, key: key, on: db) else {
                throw MLflowError.notFound("No tag with name: \(key) in experiment with id \(rawId)")
            }
        }
    }

    /// Loads the experiment in a transaction, checks the actor owns it (and that it is active unless
    /// `allowDeleted`), then applies `change`.
    func changeExperiment(
        _ rawId: String, actor: TrackingActor, allowDeleted: Bool = false,
        _ change: @escaping @Sendable (Experiment, any SQLDatabase, Int64) async throws -> Void
    ) async throws {
        let id = try Self.experimentId(rawId)
        let now = Timestamp.nowMillis()
        try await database.transaction { [experiments] db in
            guard let experiment = try await experiments.find(id: id, on: db) else {
                throw MLflowError.notFound("No Experiment with id=\(rawId) exists")
            }
            try actor.requireOwnership(of: "Experiment \(rawId) ('\(experiment.name)')", ownedBy: experiment.ownerUserId)
            if !allowDeleted, experiment.lifecycleStage != .active {
                throw MLflowError.invalid(
                    "The experiment \(rawId) must be in the 'active' state. Current state is \(experiment.lifecycleStage.rawValue)."
                )
            }
            try await change(experiment, db, now)
        }
    }

    static func experimentId(_ raw: String) throws(MLflowError) -> Int64 {
        guard let id = Int64(raw), id >= 0 else {
            throw .invalid("Invalid experiment ID '\(raw)'. Experiment ID must be a valid integer.")
        }
        return id
    }

    static func validExperimentName(_ raw: String) throws(MLflowError) -> String {
        guard !raw.isEmpty else { throw .missing("name") }
        guard raw.count <= TrackingNames.maxExperimentNameLength else {
            throw .invalid("'name' exceeds the maximum length of \(TrackingNames.maxExperimentNameLength) characters")
        }
        guard !raw.contains("\u{0}") else { throw .invalid("'name' must not contain NUL characters") }
        return raw
    }

    static func validateExperimentTag(_ tag: KeyValue) throws(MLflowError) {
        guard tag.key.count <= TrackingNames.maxExperimentTagKeyLength else {
            throw .invalid("'key' exceeds the maximum length of \(TrackingNames.maxExperimentTagKeyLength) characters")
        }
        guard tag.value.count <= TrackingNames.maxExperimentTagValueLength else {
            throw .invalid("'value' exceeds the maximum length of \(TrackingNames.maxExperimentTagValueLength) characters")
        }
        try TrackingNames.validateKey(tag.key, entity: .tag)
    }

    static func maxResults(_ requested: Int?, default fallback: Int, maximum: Int) throws(MLflowError) -> Int {
        guard let requested else { return fallback }
        guard requested >= 1, requested <= maximum else {
            throw .invalid("Invalid value \(requested) for parameter 'max_results' supplied. It must be at most \(maximum)")
        }
        return requested
    }
}

/// Which lifecycle stages a search covers.
public enum ViewType: String, Sendable {
    case activeOnly = "ACTIVE_ONLY"
    case deletedOnly = "DELETED_ONLY"
    case all = "ALL"

    var stages: [LifecycleStage] {
        switch self {
        case .activeOnly: [.active]
        case .deletedOnly: [.deleted]
        case .all: [.active, .deleted]
        }
    }
}
