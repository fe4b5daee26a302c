/// A registered model as stored, with what `get` returns beside it.
public struct RegisteredModel: Sendable, Equatable {
    public var name: String
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var description: String
    /// The user whose key created it: the only non-admin user who may change it.
    public var ownerUserId: String?
    public var tags: [KeyValue] = []
    /// The newest version in each stage.
    public var latestVersions: [ModelVersion] = []
    public var aliases: [ModelAlias] = []

    public init(name: String, creationTime: Int64, lastUpdatedTime: Int64, description: String, ownerUserId: String?) {
        self.name = name
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.description = description
        self.ownerUserId = ownerUserId
    }
}

public struct ModelAlias: Sendable, Equatable {
    public var alias: String
    public var version: Int64

    public init(alias: String, version: Int64) {
        self.alias = alias
        self.version = version
    }
}

/// One version of a registered model. `storageLocation` is where its files are
/// (`mlflow-artifacts:/…`), resolved from `source` when the version was created.
public struct ModelVersion: Sendable, Equatable {
    public var name: String
    public var version: Int64
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var description: String
    public var userId: String
    public var stage: ModelStage
    public var source: String
    public var runId: String?
    public var runLink: String?
    public var modelId: String?
    public var storageLocation: String
    public var tags: [KeyValue] = []
    public var aliases: [String] = []

    public init(
        name: String, version: Int64, creationTime: Int64, lastUpdatedTime: Int64, description: String, userId: String,
        stage: ModelStage, source: String, runId: String?, runLink: String?, modelId: String?, storageLocation: String
    ) {
        self.name = name
        self.version = version
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.description = description
        self.userId = userId
        self.stage = stage
        self.source = source
        self.runId = runId
        self.runLink = runLink
        self.modelId = modelId
        self.storageLocation = storageLocation
    }
}
