import HokusaiCore
import SQLKit

/// The MLflow model registry on the store: registered models, their versions, stages, aliases
/// and tags. Every write is one transaction; a registered model belongs to the user whose key
/// created it, and only that user (or an admin key) may change it or its versions.
public struct RegistryService: Sendable {
    public static let modelSearchDefault = 100
    public static let modelSearchMaximum = 1000
    public static let versionSearchDefault = 10000
    public static let versionSearchMaximum = 200_000

    let database: any Database
    let models = RegisteredModelRepository()
    let versions = ModelVersionRepository()

    public init(database: any Database) {
        self.database = database
    }

    // MARK: Registered models

    public func createRegisteredModel(
        name: String, description: String?, tags: [KeyValue], actor: TrackingActor
    ) async throws -> RegisteredModel {
        try RegistryRules.validateModelName(name)
        try RegistryRules.validateDescription(description)
        for tag in tags { try RegistryRules.validateTag(tag, of: "Registered model") }
        let now = Timestamp.nowMillis()
        var model = RegisteredModel(
            name: name, creationTime: now, lastUpdatedTime: now, description: description ?? "", ownerUserId: actor.userId)
        model.tags = tags
        let created = model
        return try await database.transaction { [models] db in
            if try await models.find(name: name, on: db) != nil {
                throw MLflowError(.resourceAlreadyExists, "Registered Model (name=\(name)) already exists.")
            }
            try await models.insert(created, on: db)
            return created
        }
    }

    public func registeredModel(name: String) async throws -> RegisteredModel {
        try RegistryRules.validateModelName(name)
        let found = try await database.read { [models] db in try await models.models(names: [name], on: db).first }
        guard let found else { throw Self.modelNotFound(name) }
        return found
    }

    public func searchRegisteredModels(
        filter: String?, orderBy: [String], maxResults: Int?, pageToken: String?
    ) async throws -> (models: [RegisteredModel], nextPageToken: String?) {
        let page = try SearchPage.parse(
            filter: filter, orderBy: orderBy, maxResults: maxResults, pageToken: pageToken, schema: .registeredModels,
            orderingSchema: .registeredModelOrdering, defaultLimit: Self.modelSearchDefault, maximumLimit: Self.modelSearchMaximum
        )
        let query = RegisteredModelSearchQuery(page)
        let found = try await database.read { [models] db in
            try await models.models(names: try await models.search(query, on: db), on: db)
        }
        return (found, page.nextToken(returned: found.count))
    }

    public func updateRegisteredModel(name: String, description: String?, actor: TrackingActor) async throws -> RegisteredModel {
        try RegistryRules.validateDescription(description)
        try await changeModel(name, actor: actor) { [models] _, db, now in
            try await models.update(name: name, description: description ?? "", lastUpdated: now, on: db)
        }
        return try await registeredModel(name: name)
    }

    public func renameRegisteredModel(name: String, to newName: String, actor: TrackingActor) async throws -> RegisteredModel {
        try RegistryRules.validateModelName(newName)
        try await changeModel(name, actor: actor) { [models] _, db, now in
            if newName != name, try await models.find(name: newName, on: db) != nil {
                throw MLflowError(.resourceAlreadyExists, "Registered Model (name=\(newName)) already exists.")
            }
            try await models.rename(name, to: newName, lastUpdated: now, on: db)
        }
        return try await registeredModel(name: newName)
    }

    public func deleteRegisteredModel(name: String, actor: TrackingActor) async throws {
        try await changeModel(name, actor: actor) { [models] _, db, _ in try await models.delete(name: name, on: db) }
    }

    public func setRegisteredModelTag(name: String, _ tag: KeyValue, actor: TrackingActor) async throws {
        try RegistryRules.validateTag(tag, of: "Registered model")
        try await changeModel(name, actor: actor) { [models] _, db, _ in try await models.setTag(name: name, tag, on: db) }
    }

    public func deleteRegisteredModelTag(name: String, key: String, actor: TrackingActor) async throws {
        try await changeModel(name, actor: actor) { [models] _, db, _ in
            guard try await models.deleteTag(name: name, key: key, on: db) else {
                throw MLflowError.notFound("No tag with name: \(key) in registered model '\(name)'.")
            }
        }
    }

    /// Gives a registered model to another user. Admin keys only: a transfer is how a model
    /// outlives its creator's key, and nobody may take someone else's model for themselves.
    public func transferRegisteredModel(name: String, to owner: String, actor: TrackingActor) async throws -> RegisteredModel {
        guard actor.isAdmin else {
            throw MLflowError(.permissionDenied, "Only admin keys may transfer a registered model to another owner")
        }
        guard !owner.isEmpty, owner.count <= 256 else { throw MLflowError.missing("owner") }
        try await changeModel(name, actor: actor) { [models] _, db, now in
            try await models.update(name: name, owner: owner, lastUpdated: now, on: db)
        }
        return try await registeredModel(name: name)
    }

    // MARK: Aliases

    public func setAlias(name: String, alias: String, version rawVersion: String, actor: TrackingActor) async throws {
        try RegistryRules.validateAlias(alias)
        let version = try RegistryRules.version(rawVersion)
        try await changeModel(name, actor: actor) { [models, versions] _, db, _ in
            guard try await versions.find(ModelVersionKey(name: name, version: version), on: db) != nil else {
                throw Self.versionNotFound(name, version)
            }
            try await models.setAlias(name: name, alias: alias, version: version, on: db)
        }
    }

    public func deleteAlias(name: String, alias: String, actor: TrackingActor) async throws {
        try RegistryRules.validateAlias(alias)
        try await changeModel(name, actor: actor) { [models] _, db, _ in
            try await models.deleteAlias(name: name, alias: alias, on: db)
        }
    }

    public func versionByAlias(name: String, alias: String) async throws -> ModelVersion {
        try RegistryRules.validateModelName(name)
        return try await database.read { [models, versions] db in
            guard try await models.find(name: name, on: db) != nil else { throw Self.modelNotFound(name) }
            // The reference server answers a missing alias with 400, not 404; clients match on it.
            guard let version = try await models.aliasVersion(name: name, alias: alias, on: db),
                let found = try await versions.find(ModelVersionKey(name: name, version: version), on: db)
            else { throw MLflowError.invalid("Registered model alias \(alias) not found.") }
            return found
        }
    }

    // MARK: Shared

    /// Loads the model in a transaction, checks the actor owns it, then applies `change`.
    func changeModel(
        _ name: String, actor: TrackingActor,
        _ change: @escaping @Sendable (RegisteredModel, any SQLDatabase, Int64) async throws -> Void
    ) async throws {
        let now = Timestamp.nowMillis()
        _ = try await changeModelReturning(name, actor: actor) { model, db in
            try await change(model, db, now)
            return true
        }
    }

    static func modelNotFound(_ name: String) -> MLflowError {
        .notFound("Registered Model with name=\(name) not found")
    }

    static func versionNotFound(_ name: String, _ version: Int64) -> MLflowError {
        .notFound("Model Version (name=\(name), version=\(version)) not found")
    }
}
