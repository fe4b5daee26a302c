import HokusaiCore
import SQLKit

/// SQL for registered models, their tags and aliases.
public struct RegisteredModelRepository: Sendable {
    public init() {}

    public func insert(_ model: RegisteredModel, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO registered_models (name, creation_timestamp, last_updated_timestamp, description, owner_user_id, next_version)
            VALUES (\(bind: model.name), \(bind: model.creationTime), \(bind: model.lastUpdatedTime), \(bind: model.description),
                \(bind: model.ownerUserId), 1)
            """
        ).run()
        try await KeyValueTable.registeredModelTags.write(model.name, model.tags, replace: true, on: db)
    }

    /// The model row alone (no tags, versions or aliases): enough for existence and ownership checks.
    public func find(name: String, on db: any SQLDatabase) async throws -> RegisteredModel? {
        try await db.select().column("*").from("registered_models").where("name", .equal, name).first().map(Self.model)
    }

    /// Models with their tags, aliases and latest version per stage, in the order of `names`.
    public func models(names: [String], on db: any SQLDatabase) async throws -> [RegisteredModel] {
        guard !names.isEmpty else { return [] }
        let rows = try await db.select().column("*").from("registered_models").where(OneBindMembership("name", in: names)).all()
        let tags = try await KeyValueTable.registeredModelTags.grouped(names, on: db)
        let aliases = try await self.aliases(names: names, on: db)
        let latest = try await ModelVersionRepository().latestPerStage(names: names, on: db)
        var byName: [String: RegisteredModel] = [:]
        for row in rows {
            var model = try Self.model(row)
            model.tags = tags[model.name] ?? []
            model.aliases = aliases[model.name] ?? []
            model.latestVersions = latest[model.name] ?? []
            byName[model.name] = model
        }
        return names.compactMap { byName[$0] }
    }

    /// Takes the next version number; numbers are never handed out twice, even after deletes.
    public func takeVersionNumber(name: String, on db: any SQLDatabase) async throws -> Int64 {
        let row = try await db.raw("SELECT next_version FROM registered_models WHERE name = \(bind: name)").first()
        let number = try row?.decode(column: "next_version", as: Int64.self) ?? 1
        try await db.raw("UPDATE registered_models SET next_version = \(bind: number + 1) WHERE name = \(bind: name)").run()
        return number
    }

    public func update(
        name: String, description: String? = nil, owner: String? = nil, lastUpdated: Int64, on db: any SQLDatabase
    ) async throws {
        var query: SQLQueryString = "UPDATE registered_models SET last_updated_timestamp = \(bind: lastUpdated)"
        if let description { query += ", description = \(bind: description)" }
        if let owner { query += ", owner_user_id = \(bind: owner)" }
        query += " WHERE name = \(bind: name)"
        try await db.raw(query).run()
    }

    /// Renames the model; its versions, tags and aliases follow through ON UPDATE CASCADE.
    public func rename(_ name: String, to newName: String, lastUpdated: Int64, on db: any SQLDatabase) async throws {
        try await db.raw(
            "UPDATE registered_models SET name = \(bind: newName), last_updated_timestamp = \(bind: lastUpdated) WHERE name = \(bind: name)"
        ).run()
    }

    public func delete(name: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM registered_models WHERE name = \(bind: name)").run()
    }

    public func setTag(name: String, _ tag: KeyValue, on db: any SQLDatabase) async throws {
        try await KeyValueTable.registeredModelTags.write(name, [tag], replace: true, on: db)
    }

    /// Deletes a tag; false when the model had no such tag.
    public func deleteTag(name: String, key: String, on db: any SQLDatabase) async throws -> Bool {
        let found = try await db.raw(
            "SELECT 1 AS one FROM registered_model_tags WHERE name = \(bind: name) AND key = \(bind: key)"
        ).first()
        guard found != nil else { return false }
        try await db.raw("DELETE FROM registered_model_tags WHERE name = \(bind: name) AND key = \(bind: key)").run()
        return true
    }

    public func setAlias(name: String, alias: String, version: Int64, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO registered_model_aliases (name, alias, version) VALUES (\(bind: name), \(bind: alias), \(bind: version))
            ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version
            """
        ).run()
    }

    public func aliasVersion(name: String, alias: String, on db: any SQLDatabase) async throws -> Int64? {
        try await db.raw(
            "SELECT version FROM registered_model_aliases WHERE name = \(bind: name) AND alias = \(bind: alias)"
        ).first()?.decode(column: "version", as: Int64.self)
    }

    public func deleteAlias(name: String, alias: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM registered_model_aliases WHERE name = \(bind: name) AND alias = \(bind: alias)").run()
    }

    func aliases(names: [String], on db: any SQLDatabase) async throws -> [String: [ModelAlias]] {
        let rows = try await db.select().column("*").from("registered_model_aliases").where(OneBindMembership("name", in: names))
            .orderBy("alias").all()
        var result: [String: [ModelAlias]] = [:]
        for row in rows {
            result[try row.decode(column: "name", as: String.self), default: []].append(
                ModelAlias(
                    alias: try row.decode(column: "alias", as: String.self),
                    version: try row.decode(column: "version", as: Int64.self)))
        }
        return result
    }

    /// One page of a search: names in order.
    public func search(_ query: RegisteredModelSearchQuery, on db: any SQLDatabase) async throws -> [String] {
        try await db.raw(try query.sql()).all().map { try $0.decode(column: "name", as: String.self) }
    }

    static func model(_ row: any SQLRow) throws -> RegisteredModel {
        RegisteredModel(
            name: try row.decode(column: "name", as: String.self),
            creationTime: try row.decode(column: "creation_timestamp", as: Int64.self),
            lastUpdatedTime: try row.decode(column: "last_updated_timestamp", as: Int64.self),
            description: try row.decode(column: "description", as: String.self),
            ownerUserId: try row.decode(column: "owner_user_id", as: String?.self))
    }
}
