import HokusaiCore
import SQLKit

/// SQL for logged models, their tags and params.
public struct LoggedModelRepository: Sendable {
    public init() {}

    public func insert(_ model: LoggedModel, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO logged_models (model_id, experiment_id, name, creation_timestamp_ms, last_updated_timestamp_ms,
                artifact_uri, status, model_type, source_run_id, lifecycle_stage, owner_user_id)
            VALUES (\(bind: model.modelId), \(bind: model.experimentId), \(bind: model.name), \(bind: model.creationTime),
                \(bind: model.lastUpdatedTime), \(bind: model.artifactURI), \(bind: model.status), \(bind: model.modelType),
                \(bind: model.sourceRunId), \(bind: model.lifecycleStage.rawValue), \(bind: model.ownerUserId))
            """
        ).run()
        try await setTags(modelId: model.modelId, model.tags, on: db)
        try await setParams(modelId: model.modelId, model.params, on: db)
    }

    public func find(modelId: String, on db: any SQLDatabase) async throws -> LoggedModel? {
        try await models(ids: [modelId], on: db).first
    }

    /// The newest active model a run logged under `name` (what `runs:/<run>/<name>` means in MLflow 3).
    public func find(named name: String, sourceRunId: String, on db: any SQLDatabase) async throws -> LoggedModel? {
        let row = try await db.raw(
            """
            SELECT model_id FROM logged_models WHERE source_run_id = \(bind: sourceRunId) AND name = \(bind: name)
                AND lifecycle_stage = 'active' ORDER BY creation_timestamp_ms DESC LIMIT 1
            """
        ).first()
        guard let id = try row?.decode(column: "model_id", as: String.self) else { return nil }
        return try await find(modelId: id, on: db)
    }

    /// Models with their tags and params, in the order of `ids`.
    public func models(ids: [String], on db: any SQLDatabase) async throws -> [LoggedModel] {
        guard !ids.isEmpty else { return [] }
        let rows = try await db.select().column("*").from("logged_models").where(OneBindMembership("model_id", in: ids)).all()
        let tags = try await KeyValueTable.loggedModelTags.grouped(ids, on: db)
        let params = try await KeyValueTable.loggedModelParams.grouped(ids, on: db)
        var byId: [String: LoggedModel] = [:]
        for row in rows {
            var model = try Self.model(row)
            model.tags = tags[model.modelId] ?? []
            model.params = params[model.modelId] ?? []
            byId[model.modelId] = model
        }
        return ids.compactMap { byId[$0] }
    }

    public func update(_ model: LoggedModel, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE logged_models SET status = \(bind: model.status), lifecycle_stage = \(bind: model.lifecycleStage.rawValue),
                last_updated_timestamp_ms = \(bind: model.lastUpdatedTime)
            WHERE model_id = \(bind: model.modelId)
            """
        ).run()
    }

    public func setTags(modelId: String, _ tags: [KeyValue], on db: any SQLDatabase) async throws {
        try await KeyValueTable.loggedModelTags.write(modelId, tags, replace: true, on: db)
    }

    public func deleteTag(modelId: String, key: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM logged_model_tags WHERE model_id = \(bind: modelId) AND key = \(bind: key)").run()
    }

    public func setParams(modelId: String, _ params: [KeyValue], on db: any SQLDatabase) async throws {
        try await KeyValueTable.loggedModelParams.write(modelId, params, replace: true, on: db)
    }

    /// One page of a search: ids in order.
    public func search(_ query: LoggedModelSearchQuery, on db: any SQLDatabase) async throws -> [String] {
        try await db.raw(try query.sql()).all().map { try $0.decode(column: "model_id", as: String.self) }
    }

    static func model(_ row: any SQLRow) throws -> LoggedModel {
        LoggedModel(
            modelId: try row.decode(column: "model_id", as: String.self),
            experimentId: try row.decode(column: "experiment_id", as: Int64.self),
            name: try row.decode(column: "name", as: String.self),
            creationTime: try row.decode(column: "creation_timestamp_ms", as: Int64.self),
            lastUpdatedTime: try row.decode(column: "last_updated_timestamp_ms", as: Int64.self),
            artifactURI: try row.decode(column: "artifact_uri", as: String.self),
            status: try row.decode(column: "status", as: String.self),
            modelType: try row.decode(column: "model_type", as: String.self),
            sourceRunId: try row.decode(column: "source_run_id", as: String?.self),
            lifecycleStage: LifecycleStage(rawValue: try row.decode(column: "lifecycle_stage", as: String.self)) ?? .active,
            ownerUserId: try row.decode(column: "owner_user_id", as: String?.self))
    }
}

/// A logged-model search as SQL. Default order: newest first.
public struct LoggedModelSearchQuery: Sendable {
    public var experimentIds: [Int64]
    public var filter: SearchFilter
    public var orderings: [SearchOrdering]
    public var limit: Int
    public var offset: Int

    public init(experimentIds: [Int64], filter: SearchFilter, orderings: [SearchOrdering], limit: Int, offset: Int) {
        self.experimentIds = experimentIds
        self.filter = filter
        self.orderings = orderings
        self.limit = limit
        self.offset = offset
    }

    static func column(_ attribute: String) -> String {
        switch attribute {
        case "creation_timestamp": "creation_timestamp_ms"
        case "last_updated_timestamp": "last_updated_timestamp_ms"
        default: attribute
        }
    }

    func sql() throws(MLflowError) -> SQLQueryString {
        var conditions: [SQLQueryString] = [
            "m.experiment_id IN (\(binds: experimentIds))", "m.lifecycle_stage = 'active'",
        ]
        for clause in filter.clauses {
            switch clause.subject {
            case .attribute(let name) where FilterSchema.loggedModels.isNumeric(name):
                conditions.append(try SearchSQL.numericComparison("m.\(Self.column(name))", clause))
            case .attribute(let name):
                conditions.append(try SearchSQL.stringComparison("m.\(name)", clause))
            case .tag(let key):
                conditions.append(try SearchSQL.keyValueCondition(.loggedModelTags, owner: "m.model_id", key: key, clause))
            case .param(let key):
                conditions.append(try SearchSQL.keyValueCondition(.loggedModelParams, owner: "m.model_id", key: key, clause))
            default:
                throw .invalid("Logged models can be searched by their attributes, tags and params")
            }
        }
        var orderTerms: [SQLQueryString] = []
        for ordering in orderings {
            guard case .attribute(let name) = ordering.subject else {
                throw .invalid("Logged models can be ordered by their attributes only")
            }
            orderTerms.append("m.\(ident: Self.column(name)) \(unsafeRaw: ordering.ascending ? "ASC" : "DESC")")
        }
        orderTerms.append("m.creation_timestamp_ms DESC")
        orderTerms.append("m.model_id ASC")
        return SearchSQL.page(
            "SELECT m.model_id FROM logged_models m", conditions: conditions, order: orderTerms, limit: limit, offset: offset)
    }
}
