import HokusaiCore
import SQLKit

/// SQL for runs, their params and tags.
public struct RunRepository: Sendable {
    public init() {}

    public func insert(_ info: RunInfo, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO runs (run_id, experiment_id, run_name, user_id, status, start_time, end_time, lifecycle_stage,
                artifact_uri, owner_user_id)
            VALUES (\(bind: info.runId), \(bind: info.experimentId), \(bind: info.runName), \(bind: info.userId),
                \(bind: info.status.rawValue), \(bind: info.startTime), \(bind: info.endTime),
                \(bind: info.lifecycleStage.rawValue), \(bind: info.artifactURI), \(bind: info.ownerUserId))
            """
        ).run()
    }

    public func find(runId: String, on db: any SQLDatabase) async throws -> RunInfo? {
        try await db.raw("SELECT * FROM runs WHERE run_id = \(bind: runId)").first().map(Self.info)
    }

    /// The run with its params, tags and latest metrics.
    public func run(runId: String, on db: any SQLDatabase) async throws -> Run? {
        try await runs(ids: [runId], on: db).first
    }

    /// The ids of one page of a search, in order.
    public func search(_ query: RunSearchQuery, on db: any SQLDatabase) async throws -> [String] {
        try await db.raw(try query.sql()).all().map { try $0.decode(column: "run_id", as: String.self) }
    }

    /// Runs with their data, in the order of `ids`: two queries, and a third when some of them have
    /// dataset inputs. The ids are bound once per statement (`OneBindMembership`), so a page of
    /// 50,000 runs is as many statements as a page of one.
    public func runs(ids: [String], on db: any SQLDatabase) async throws -> [Run] {
        guard !ids.isEmpty else { return [] }
        let rows = OneBindSelection(where: "run_id", in: ids).from("runs", as: "r")
        let infos = try await db.raw("SELECT r.* \(rows)").all().map(Self.info)
        let data = try await RunDataQuery.load(ids, on: db)
        let withInputs = ids.filter { data[$0]?.hasInputs == true }
        let inputs = try await RunIORepository().inputs(runIds: withInputs, on: db)
        let byId = Dictionary(uniqueKeysWithValues: infos.map { ($0.runId, $0) })
        return ids.compactMap { id in
            byId[id].map {
                let loaded = data[id] ?? RunDataQuery.Loaded()
                return Run(
                    info: $0, metrics: loaded.metrics, params: loaded.params, tags: loaded.tags, inputs: inputs[id] ?? [],
                    outputs: loaded.outputs)
            }
        }
    }

    public func update(_ info: RunInfo, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE runs SET run_name = \(bind: info.runName), status = \(bind: info.status.rawValue),
                end_time = \(bind: info.endTime), lifecycle_stage = \(bind: info.lifecycleStage.rawValue)
            WHERE run_id = \(bind: info.runId)
            """
        ).run()
    }

    public func params(runId: String, keys: [String], on db: any SQLDatabase) async throws -> [String: String] {
        guard !keys.isEmpty else { return [:] }
        let rows = try await db.select().column("key").column("value").from("run_params")
            .where("run_id", .equal, runId).where("key", .in, keys)
            .all()
        var values: [String: String] = [:]
        for row in rows {
            values[try row.decode(column: "key", as: String.self)] = try row.decode(column: "value", as: String.self)
        }
        return values
    }

    /// Params are immutable: a key already logged keeps its value (callers refuse changes first).
    public func insertParams(runId: String, _ params: [KeyValue], on db: any SQLDatabase) async throws {
        try await KeyValueTable.runParams.write(runId, params, replace: false, on: db)
    }

    public func setTags(runId: String, _ tags: [KeyValue], on db: any SQLDatabase) async throws {
        try await KeyValueTable.runTags.write(runId, tags, replace: true, on: db)
    }

    public func tag(runId: String, key: String, on db: any SQLDatabase) async throws -> String? {
        try await db.raw("SELECT value FROM run_tags WHERE run_id = \(bind: runId) AND key = \(bind: key)").first()
            .map { try $0.decode(column: "value", as: String.self) }
    }

    public func deleteTag(runId: String, key: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM run_tags WHERE run_id = \(bind: runId) AND key = \(bind: key)").run()
    }

    static func info(_ row: any SQLRow) throws -> RunInfo {
        let status = try row.decode(column: "status", as: String.self)
        let stage = try row.decode(column: "lifecycle_stage", as: String.self)
        return RunInfo(
            runId: try row.decode(column: "run_id", as: String.self),
            experimentId: try row.decode(column: "experiment_id", as: Int64.self),
            runName: try row.decode(column: "run_name", as: String.self),
            userId: try row.decode(column: "user_id", as: String.self),
            status: RunStatus(rawValue: status) ?? .running,
            startTime: try row.decode(column: "start_time", as: Int64?.self),
            endTime: try row.decode(column: "end_time", as: Int64?.self),
            artifactURI: try row.decode(column: "artifact_uri", as: String.self),
            lifecycleStage: LifecycleStage(rawValue: stage) ?? .active,
            ownerUserId: try row.decode(column: "owner_user_id", as: String?.self))
    }
}
