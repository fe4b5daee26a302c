import HokusaiCore
import SQLKit

/// A model version's identity.
public struct ModelVersionKey: Sendable, Hashable {
    public let name: String
    public let version: Int64

    public init(name: String, version: Int64) {
        self.name = name
        self.version = version
    }
}

/// SQL for model versions and their tags.
public struct ModelVersionRepository: Sendable {
    public init() {}

    public func insert(_ version: ModelVersion, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO model_versions (name, version, creation_timestamp, last_updated_timestamp, description, user_id,
                current_stage, source, run_id, run_link, model_id, storage_location)
            VALUES (\(bind: version.name), \(bind: version.version), \(bind: version.creationTime), \(bind: version.lastUpdatedTime),
                \(bind: version.description), \(bind: version.userId), \(bind: version.stage.rawValue), \(bind: version.source),
                \(bind: version.runId), \(bind: version.runLink), \(bind: version.modelId), \(bind: version.storageLocation))
            """
        ).run()
        for tag in version.tags {
            try await setTag(ModelVersionKey(name: version.name, version: version.version), tag, on: db)
        }
    }

    public func find(_ key: ModelVersionKey, on db: any SQLDatabase) async throws -> ModelVersion? {
        try await versions([key], on: db).first
    }

    /// Versions with their tags and aliases, in the order of `keys`.
    public func versions(_ keys: [ModelVersionKey], on db: any SQLDatabase) async throws -> [ModelVersion] {
        guard !keys.isEmpty else { return [] }
        let names = Array(Set(keys.map(\.name)))
        let wanted = Set(keys)
        // Fetched by name (indexed), then narrowed: a search page names few models.
        let byName = OneBindMembership("name", in: names)
        let rows = try await db.select().column("*").from("model_versions").where(byName).all()
        let tagRows = try await db.select().column("*").from("model_version_tags").where(byName).orderBy("key").all()
        let aliasRows = try await db.select().column("*").from("registered_model_aliases").where(byName).orderBy("alias").all()
        var tags: [ModelVersionKey: [KeyValue]] = [:]
        for row in tagRows {
            let key = ModelVersionKey(
                name: try row.decode(column: "name", as: String.self), version: try row.decode(column: "version", as: Int64.self))
            tags[key, default: []].append(
                KeyValue(
                    key: try row.decode(column: "key", as: String.self), value: try row.decode(column: "value", as: String.self)))
        }
        var aliases: [ModelVersionKey: [String]] = [:]
        for row in aliasRows {
            let key = ModelVersionKey(
                name: try row.decode(column: "name", as: String.self), version: try row.decode(column: "version", as: Int64.self))
            aliases[key, default: []].append(try row.decode(column: "alias", as: String.self))
        }
        var byKey: [ModelVersionKey: ModelVersion] = [:]
        for row in rows {
            var version = try Self.version(row)
            let key = ModelVersionKey(name: version.name, version: version.version)
            guard wanted.contains(key) else { continue }
            version.tags = tags[key] ?? []
            version.aliases = aliases[key] ?? []
            byKey[key] = version
        }
        return keys.compactMap { byKey[$0] }
    }

    /// For each model, its newest version in each stage, ordered by stage.
    public func latestPerStage(names: [String], on db: any SQLDatabase) async throws -> [String: [ModelVersion]] {
        guard !names.isEmpty else { return [:] }
        let rows = try await db.raw(
            """
            SELECT name, current_stage, MAX(version) AS version FROM model_versions
            WHERE \(OneBindMembership("name", in: names)) GROUP BY name, current_stage
            """
        ).all()
        let keys = try rows.map {
            ModelVersionKey(
                name: try $0.decode(column: "name", as: String.self), version: try $0.decode(column: "version", as: Int64.self))
        }
        let order = Dictionary(uniqueKeysWithValues: ModelStage.allCases.enumerated().map { ($1, $0) })
        var result: [String: [ModelVersion]] = [:]
        for version in try await versions(keys, on: db) {
            result[version.name, default: []].append(version)
        }
        return result.mapValues { $0.sorted { order[$0.stage]! < order[$1.stage]! } }
    }

    /// Versions of `name` in `stage`, newest first.
    public func keys(name: String, stage: ModelStage, on db: any SQLDatabase) async throws -> [ModelVersionKey] {
        try await db.raw(
            """
            SELECT version FROM model_versions WHERE name = \(bind: name) AND current_stage = \(bind: stage.rawValue)
            ORDER BY version DESC
            """
        ).all().map { ModelVersionKey(name: name, version: try $0.decode(column: "version", as: Int64.self)) }
    }

    public func update(_ version: ModelVersion, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE model_versions SET description = \(bind: version.description), current_stage = \(bind: version.stage.rawValue),
                last_updated_timestamp = \(bind: version.lastUpdatedTime)
            WHERE name = \(bind: version.name) AND version = \(bind: version.version)
            """
        ).run()
    }

    /// Deletes the version; its tags and aliases go with it (ON DELETE CASCADE).
    public func delete(_ key: ModelVersionKey, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM model_versions WHERE name = \(bind: key.name) AND version = \(bind: key.version)").run()
    }

    public func setTag(_ key: ModelVersionKey, _ tag: KeyValue, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO model_version_tags (name, version, key, value)
            VALUES (\(bind: key.name), \(bind: key.version), \(bind: tag.key), \(bind: tag.value))
            ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value
            """
        ).run()
    }

    public func deleteTag(_ key: ModelVersionKey, tagKey: String, on db: any SQLDatabase) async throws {
        try await db.raw(
            "DELETE FROM model_version_tags WHERE name = \(bind: key.name) AND version = \(bind: key.version) AND key = \(bind: tagKey)"
        ).run()
    }

    /// One page of a search: keys in order.
    public func search(_ query: ModelVersionSearchQuery, on db: any SQLDatabase) async throws -> [ModelVersionKey] {
        try await db.raw(try query.sql()).all().map {
            ModelVersionKey(
                name: try $0.decode(column: "name", as: String.self), version: try $0.decode(column: "version", as: Int64.self))
        }
    }

    static func version(_ row: any SQLRow) throws -> ModelVersion {
        ModelVersion(
            name: try row.decode(column: "name", as: String.self),
            version: try row.decode(column: "version", as: Int64.self),
            creationTime: try row.decode(column: "creation_timestamp", as: Int64.self),
            lastUpdatedTime: try row.decode(column: "last_updated_timestamp", as: Int64.self),
            description: try row.decode(column: "description", as: String.self),
            userId: try row.decode(column: "user_id", as: String.self),
            stage: ModelStage(rawValue: try row.decode(column: "current_stage", as: String.self)) ?? .none,
            source: try row.decode(column: "source", as: String.self),
            runId: try row.decode(column: "run_id", as: String?.self),
            runLink: try row.decode(column: "run_link", as: String?.self),
            modelId: try row.decode(column: "model_id", as: String?.self),
            storageLocation: try row.decode(column: "storage_location", as: String.self))
    }
}
