import HokusaiCore
import SQLKit

/// SQL for experiments and their tags.
public struct ExperimentRepository: Sendable {
    public init() {}

    /// The next experiment id. Ids are never reused, even after a deletion.
    public func nextId(on db: any SQLDatabase) async throws -> Int64 {
        let row = try await db.raw(
            "UPDATE id_counters SET value = value + 1 WHERE name = 'experiment' RETURNING value"
        ).first()
        guard let value = try row?.decode(column: "value", as: Int64.self) else {
            throw StoreError.corruptRow(table: "id_counters", detail: "no 'experiment' counter")
        }
        return value
    }

    public func insert(_ experiment: Experiment, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time,
                last_update_time, owner_user_id)
            VALUES (\(bind: experiment.id), \(bind: experiment.name), \(bind: experiment.artifactLocation),
                \(bind: experiment.lifecycleStage.rawValue), \(bind: experiment.creationTime),
                \(bind: experiment.lastUpdateTime), \(bind: experiment.ownerUserId))
            """
        ).run()
        try await KeyValueTable.experimentTags.write(experiment.id, experiment.tags, replace: true, on: db)
    }

    public func find(id: Int64, on db: any SQLDatabase) async throws -> Experiment? {
        guard let row = try await db.raw("SELECT * FROM experiments WHERE experiment_id = \(bind: id)").first() else {
            return nil
        }
        var experiment = try Self.experiment(row)
        experiment.tags = try await tags(experimentId: id, on: db)
        return experiment
    }

    public func find(name: String, on db: any SQLDatabase) async throws -> Experiment? {
        guard let row = try await db.raw("SELECT * FROM experiments WHERE name = \(bind: name)").first() else {
            return nil
        }
        var experiment = try Self.experiment(row)
        experiment.tags = try await tags(experimentId: experiment.id, on: db)
        return experiment
    }

    /// One page of a search, with each experiment's tags.
    public func search(_ query: ExperimentSearchQuery, on db: any SQLDatabase) async throws -> [Experiment] {
        var experiments = try await db.raw(try query.sql()).all().map(Self.experiment)
        let tags = try await KeyValueTable.experimentTags.grouped(experiments.map(\.id), on: db)
        for index in experiments.indices {
            experiments[index].tags = tags[experiments[index].id] ?? []
        }
        return experiments
    }

    public func rename(id: Int64, to name: String, at time: Int64, on db: any SQLDatabase) async throws {
        try await db.raw(
            "UPDATE experiments SET name = \(bind: name), last_update_time = \(bind: time) WHERE experiment_id = \(bind: id)"
        ).run()
    }

    public func setStage(id: Int64, _ stage: LifecycleStage, at time: Int64, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE experiments SET lifecycle_stage = \(bind: stage.rawValue), last_update_time = \(bind: time)
            WHERE experiment_id = \(bind: id)
            """
        ).run()
    }

    public func setTag(experimentId: Int64, _ tag: KeyValue, on db: any SQLDatabase) async throws {
        try await KeyValueTable.experimentTags.write(experimentId, [tag], replace: true, on: db)
    }

    public func deleteTag(experimentId: Int64, key: String, on db: any SQLDatabase) async throws -> Bool {
        let existing = try await db.raw(
            "SELECT key FROM experiment_tags WHERE experiment_id = \(bind: experimentId) AND key = \(bind: key)"
        ).first()
        guard existing != nil else { return false }
        try await db.raw("DELETE FROM experiment_tags WHERE experiment_id = \(bind: experimentId) AND key = \(bind: key)").run()
        return true
    }

    func tags(experimentId: Int64, on db: any SQLDatabase) async throws -> [KeyValue] {
        try await KeyValueTable.experimentTags.grouped([experimentId], on: db)[experimentId] ?? []
    }

    static func experiment(_ row: any SQLRow) throws -> Experiment {
        let stage = try row.decode(column: "lifecycle_stage", as: String.self)
        return Experiment(
            id: try row.decode(column: "experiment_id", as: Int64.self),
            name: try row.decode(column: "name", as: String.self),
            artifactLocation: try row.decode(column: "artifact_location", as: String.self),
            lifecycleStage: LifecycleStage(rawValue: stage) ?? .active,
            creationTime: try row.decode(column: "creation_time", as: Int64.self),
            lastUpdateTime: try row.decode(column: "last_update_time", as: Int64.self),
            ownerUserId: try row.decode(column: "owner_user_id", as: String?.self))
    }
}
