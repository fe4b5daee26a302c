import HokusaiCore
import SQLKit

extension RegistryService {
    public struct NewVersion: Sendable {
        public var name: String
        public var source: String
        public var runId: String?
        public var modelId: String?
        public var runLink: String?
        public var description: String?
        public var tags: [KeyValue]

        public init(
            name: String, source: String, runId: String?, modelId: String?, runLink: String?, description: String?,
            tags: [KeyValue]
        ) {
            self.name = name
            self.source = source
            self.runId = runId.flatMap { $0.isEmpty ? nil : $0 }
            self.modelId = modelId.flatMap { $0.isEmpty ? nil : $0 }
            self.runLink = runLink.flatMap { $0.isEmpty ? nil : $0 }
            self.description = description
            self.tags = tags
        }
    }

    /// Creates a version, `READY` at once (the client polls for up to 300 s otherwise). The
    /// source must name artifacts this server holds (`ModelSource`); where they are is resolved now
    /// and kept as the version's storage location.
    public func createModelVersion(_ request: NewVersion, actor: TrackingActor) async throws -> ModelVersion {
        let source = try Self.validate(request)
        return try await changeModelReturning(request.name, actor: actor) { _, db in
            try await Self.insertVersion(request, source: source, actor: actor, on: db)
        }
    }

    /// Checks what can be checked before touching the store; returns the parsed source.
    static func validate(_ request: NewVersion) throws(MLflowError) -> ModelSource {
        let source = try ModelSource.parse(request.source)
        try RegistryRules.validateDescription(request.description)
        for tag in request.tags { try RegistryRules.validateTag(tag, of: "Model version") }
        return source
    }

    /// Adds the version inside the caller's transaction, once the caller has checked the model
    /// exists and the actor owns it.
    static func insertVersion(
        _ request: NewVersion, source: ModelSource, actor: TrackingActor, on db: any SQLDatabase
    ) async throws -> ModelVersion {
        let now = Timestamp.nowMillis()
        let resolved = try await resolve(source, request: request, actor: actor, on: db)
        let models = RegisteredModelRepository()
        let number = try await models.takeVersionNumber(name: request.name, on: db)
        var version = ModelVersion(
            name: request.name, version: number, creationTime: now, lastUpdatedTime: now,
            description: request.description ?? "", userId: actor.userId, stage: .none, source: request.source,
            runId: resolved.runId, runLink: request.runLink, modelId: resolved.modelId, storageLocation: resolved.location)
        version.tags = request.tags
        try await ModelVersionRepository().insert(version, on: db)
        try await models.update(name: request.name, lastUpdated: now, on: db)
        return version
    }

    public func modelVersion(name: String, version rawVersion: String) async throws -> ModelVersion {
        let key = ModelVersionKey(name: name, version: try RegistryRules.version(rawVersion))
        let found = try await database.read { [versions] db in try await versions.find(key, on: db) }
        guard let found else { throw Self.versionNotFound(key.name, key.version) }
        return found
    }

    /// Where the version's files are, as an `mlflow-artifacts:` URI.
    public func downloadURI(name: String, version: String) async throws -> String {
        try await modelVersion(name: name, version: version).storageLocation
    }

    public func updateModelVersion(name: String, version: String, description: String?, actor: TrackingActor) async throws
        -> ModelVersion
    {
        try RegistryRules.validateDescription(description)
        // Only the description changes; the model's last-updated time stays (the reference's behaviour).
        return try await changeVersion(name, version, actor: actor) { version in
            if let description { version.description = description }
        }
    }

    /// Description and tags together, in one transaction (the Hokusai API's PATCH).
    public func updateModelVersion(
        name: String, version: String, description: String?, tags: [KeyValue], actor: TrackingActor
    ) async throws -> ModelVersion {
        try RegistryRules.validateDescription(description)
        for tag in tags { try RegistryRules.validateTag(tag, of: "Model version") }
        return try await changeVersion(name, version, actor: actor) { version in
            if let description { version.description = description }
        } after: { [versions] key, db in
            for tag in tags { try await versions.setTag(key, tag, on: db) }
        }
    }

    /// The Hokusai API's transition: the alias `stage` in lower case moves to this version and the
    /// tag `lifecycle_stage` records the stage, as the reference does.
    public func transitionByAlias(
        name: String, version: String, stage rawStage: String, actor: TrackingActor
    ) async throws -> (version: ModelVersion, stage: String) {
        let stage = try ModelStage(parsing: rawStage).rawValue
        let alias = stage.lowercased()
        try RegistryRules.validateAlias(alias)
        let updated = try await changeVersion(name, version, actor: actor) { _ in
        } after: { [models, versions] key, db in
            try await models.setAlias(name: key.name, alias: alias, version: key.version, on: db)
            try await versions.setTag(key, KeyValue(key: "lifecycle_stage", value: stage), on: db)
        }
        return (updated, stage)
    }

    public func transitionStage(
        name: String, version rawVersion: String, stage rawStage: String, archiveExisting: Bool, actor: TrackingActor
    ) async throws -> ModelVersion {
        let stage = try ModelStage(parsing: rawStage)
        if archiveExisting, !stage.isActive {
            throw MLflowError.invalid(
                "Model version transition cannot archive existing model versions because '\(stage.rawValue)' is not an Active stage. "
                    + "Valid stages are Staging, Production")
        }
        let number = try RegistryRules.version(rawVersion)
        let now = Timestamp.nowMillis()
        return try await changeModelReturning(name, actor: actor) { [models, versions] _, db in
            let key = ModelVersionKey(name: name, version: number)
            guard var version = try await versions.find(key, on: db) else { throw Self.versionNotFound(name, number) }
            if archiveExisting {
                for other in try await versions.versions(try await versions.keys(name: name, stage: stage, on: db), on: db)
                where other.version != number {
                    var archived = other
                    archived.stage = .archived
                    archived.lastUpdatedTime = now
                    try await versions.update(archived, on: db)
                }
            }
            version.stage = stage
            version.lastUpdatedTime = now
            try await versions.update(version, on: db)
            try await models.update(name: name, lastUpdated: now, on: db)
            return version
        }
    }

    public func deleteModelVersion(name: String, version: String, actor: TrackingActor) async throws {
        let number = try RegistryRules.version(version)
        let now = Timestamp.nowMillis()
        _ = try await changeModelReturning(name, actor: actor) { [models, versions] _, db in
            let key = ModelVersionKey(name: name, version: number)
            guard try await versions.find(key, on: db) != nil else { throw Self.versionNotFound(name, number) }
            try await versions.delete(key, on: db)
            try await models.update(name: name, lastUpdated: now, on: db)
            return true
        }
    }

    public func setModelVersionTag(name: String, version: String, _ tag: KeyValue, actor: TrackingActor) async throws {
        try RegistryRules.validateTag(tag, of: "Model version")
        _ = try await changeVersion(name, version, actor: actor) { _ in
        } after: { [versions] key, db in
            try await versions.setTag(key, tag, on: db)
        }
    }

    public func deleteModelVersionTag(name: String, version: String, key tagKey: String, actor: TrackingActor) async throws {
        _ = try await changeVersion(name, version, actor: actor) { _ in
        } after: { [versions] key, db in
            try await versions.deleteTag(key, tagKey: tagKey, on: db)
        }
    }

    /// `get-latest-versions`: the newest version in each requested stage (every stage when none is named).
    public func latestVersions(name: String, stages rawStages: [String]) async throws -> [ModelVersion] {
        let stages = try rawStages.map { raw throws(MLflowError) in try ModelStage(parsing: raw) }
        let model = try await registeredModel(name: name)
        guard !stages.isEmpty else { return model.latestVersions }
        return model.latestVersions.filter { stages.contains($0.stage) }
    }

    public func searchModelVersions(
        filter: String?, orderBy: [String], maxResults: Int?, pageToken: String?
    ) async throws -> (versions: [ModelVersion], nextPageToken: String?) {
        let page = try SearchPage.parse(
            filter: filter, orderBy: orderBy, maxResults: maxResults, pageToken: pageToken, schema: .modelVersions,
            orderingSchema: .modelVersions, defaultLimit: Self.versionSearchDefault, maximumLimit: Self.versionSearchMaximum)
        let query = ModelVersionSearchQuery(page)
        let found = try await database.read { [versions] db in
            try await versions.versions(try await versions.search(query, on: db), on: db)
        }
        return (found, page.nextToken(returned: found.count))
    }

    // MARK: Helpers

    func changeModelReturning<R: Sendable>(
        _ name: String, actor: TrackingActor,
        _ change: @escaping @Sendable (RegisteredModel, any SQLDatabase) async throws -> R
    ) async throws -> R {
        try RegistryRules.validateModelName(name)
        return try await database.transaction { [models] db in
            guard let model = try await models.find(name: name, on: db) else { throw Self.modelNotFound(name) }
            try actor.requireOwnership(of: "Registered model '\(name)'", ownedBy: model.ownerUserId)
            return try await change(model, db)
        }
    }

    /// Loads a version of a model the actor owns, applies `change` to it, stores it, then runs `after`.
    /// The model's own last-updated time stays: the reference bumps it only for new versions and stages.
    func changeVersion(
        _ name: String, _ rawVersion: String, actor: TrackingActor,
        _ change: @escaping @Sendable (inout ModelVersion) throws -> Void,
        after: @escaping @Sendable (ModelVersionKey, any SQLDatabase) async throws -> Void = { _, _ in }
    ) async throws -> ModelVersion {
        let number = try RegistryRules.version(rawVersion)
        let now = Timestamp.nowMillis()
        return try await changeModelReturning(name, actor: actor) { [versions] _, db in
            let key = ModelVersionKey(name: name, version: number)
            guard var version = try await versions.find(key, on: db) else { throw Self.versionNotFound(name, number) }
            try change(&version)
            version.lastUpdatedTime = now
            try await versions.update(version, on: db)
            try await after(key, db)
            return try await versions.find(key, on: db) ?? version
        }
    }

    struct ResolvedSource {
        let location: String
        let runId: String?
        let modelId: String?
    }

    /// Resolves a parsed source to the `mlflow-artifacts:` URI of artifacts this server holds, and
    /// checks it against the request's `run_id` / `model_id`.
    /// Where a version's files are, and which run and logged model it comes from. Making a version
    /// of a run's or logged model's files needs the right to change that run or model: read access
    /// alone would let a user register another user's work as their own.
    static func resolve(_ source: ModelSource, request: NewVersion, actor: TrackingActor, on db: any SQLDatabase)
        async throws -> ResolvedSource
    {
        func refuse(_ reason: String) -> MLflowError { ModelSource.refused(request.source, reason) }
        let loggedModels = LoggedModelRepository()
        let runs = RunRepository()
        func requireSourceRun(_ run: RunInfo) throws {
            try actor.requireOwnership(of: "The source run \(run.runId)", ownedBy: run.ownerUserId)
        }
        func requireSourceModel(_ model: LoggedModel) throws {
            try actor.requireOwnership(of: "The source logged model \(model.modelId)", ownedBy: model.ownerUserId)
        }
        switch source {
        case .loggedModel(let modelId):
            if let requested = request.modelId, requested != modelId {
                throw refuse("it names a different model than 'model_id'")
            }
            guard let model = try await loggedModels.find(modelId: modelId, on: db) else {
                throw MLflowError.notFound("Logged model with ID '\(modelId)' not found.")
            }
            try requireSourceModel(model)
            return ResolvedSource(location: model.artifactURI, runId: request.runId ?? model.sourceRunId, modelId: modelId)
        case .run(let runId, let path):
            if let requested = request.runId, requested != runId { throw refuse("it names a different run than 'run_id'") }
            guard let run = try await runs.find(runId: runId, on: db) else {
                throw MLflowError.notFound("Run with id=\(runId) not found")
            }
            try requireSourceRun(run)
            // MLflow 3 keeps a run's `log_model(name=…)` under models/<id>, not under the run's folder.
            if path.segments.count == 1,
                let model = try await loggedModels.find(named: path.name, sourceRunId: runId, on: db)
            {
                return ResolvedSource(location: model.artifactURI, runId: runId, modelId: request.modelId ?? model.modelId)
            }
            let location = path.isRoot ? run.artifactURI : run.artifactURI + "/" + path.description
            return ResolvedSource(location: location, runId: runId, modelId: request.modelId)
        case .artifacts(let path):
            var roots: [ArtifactPath] = []
            if let runId = request.runId, let run = try await runs.find(runId: runId, on: db) {
                let root = ArtifactOwner.run(experimentId: run.experimentId, runId: runId).root
                if path.hasPrefix(root) { try requireSourceRun(run) }
                roots.append(root)
            }
            if let modelId = request.modelId, let model = try await loggedModels.find(modelId: modelId, on: db) {
                let root = ArtifactOwner.loggedModel(experimentId: model.experimentId, modelId: modelId).root
                if path.hasPrefix(root) { try requireSourceModel(model) }
                roots.append(root)
            }
            guard roots.contains(where: { path.hasPrefix($0) }) else {
                throw refuse(
                    "an mlflow-artifacts: source must lie inside the artifacts of the run named by 'run_id' or the model named by 'model_id'"
                )
            }
            return ResolvedSource(
                location: "mlflow-artifacts:/" + path.description, runId: request.runId, modelId: request.modelId)
        }
    }
}
