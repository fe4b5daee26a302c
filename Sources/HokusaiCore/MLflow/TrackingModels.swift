/// An MLflow experiment as stored. Ids are integers on disk and strings on the wire.
public struct Experiment: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var artifactLocation: String
    public var lifecycleStage: LifecycleStage
    public var creationTime: Int64
    public var lastUpdateTime: Int64
    /// The user whose key created it; nil for the Default experiment.
    public var ownerUserId: String?
    public var tags: [KeyValue]

    public init(
        id: Int64, name: String, artifactLocation: String, lifecycleStage: LifecycleStage, creationTime: Int64,
        lastUpdateTime: Int64, ownerUserId: String?, tags: [KeyValue] = []
    ) {
        self.id = id
        self.name = name
        self.artifactLocation = artifactLocation
        self.lifecycleStage = lifecycleStage
        self.creationTime = creationTime
        self.lastUpdateTime = lastUpdateTime
        self.ownerUserId = ownerUserId
        self.tags = tags
    }
}

public enum LifecycleStage: String, Sendable, Equatable {
    case active
    case deleted
}

public enum RunStatus: String, Sendable, Equatable, CaseIterable {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"
}

public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// One metric observation. `value` is NaN when the client logged NaN.
public struct MetricPoint: Sendable, Equatable {
    public var key: String
    public var value: Double
    public var timestamp: Int64
    public var step: Int64

    public init(key: String, value: Double, timestamp: Int64, step: Int64) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
    }

    public static func == (lhs: MetricPoint, rhs: MetricPoint) -> Bool {
        lhs.key == rhs.key && lhs.timestamp == rhs.timestamp && lhs.step == rhs.step
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }

    /// Infinities are stored clamped to ±Double.greatestFiniteMagnitude, as the reference server does.
    public var clamped: MetricPoint {
        var copy = self
        if value == .infinity { copy.value = .greatestFiniteMagnitude }
        if value == -.infinity { copy.value = -.greatestFiniteMagnitude }
        return copy
    }

    /// Whether this point replaces `other` as the run's latest value for the key:
    /// higher step, then later timestamp, then larger value.
    public func isLater(than other: MetricPoint) -> Bool {
        if step != other.step { return step > other.step }
        if timestamp != other.timestamp { return timestamp > other.timestamp }
        if other.value.isNaN { return false }
        if value.isNaN { return true }
        return value > other.value
    }
}

public struct RunInfo: Sendable, Equatable {
    public var runId: String
    public var experimentId: Int64
    public var runName: String
    public var userId: String
    public var status: RunStatus
    public var startTime: Int64?
    public var endTime: Int64?
    public var artifactURI: String
    public var lifecycleStage: LifecycleStage
    /// The user whose key created it (distinct from `userId`, which the client may set to anything).
    public var ownerUserId: String?

    public init(
        runId: String, experimentId: Int64, runName: String, userId: String, status: RunStatus, startTime: Int64?,
        endTime: Int64?, artifactURI: String, lifecycleStage: LifecycleStage, ownerUserId: String?
    ) {
        self.runId = runId
        self.experimentId = experimentId
        self.runName = runName
        self.userId = userId
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.artifactURI = artifactURI
        self.lifecycleStage = lifecycleStage
        self.ownerUserId = ownerUserId
    }
}

/// A run with its data (latest metrics, params and tags), its dataset inputs and model outputs.
public struct Run: Sendable, Equatable {
    public var info: RunInfo
    public var metrics: [MetricPoint]
    public var params: [KeyValue]
    public var tags: [KeyValue]
    public var inputs: [DatasetInput]
    public var outputs: [ModelOutput]

    public init(
        info: RunInfo, metrics: [MetricPoint], params: [KeyValue], tags: [KeyValue], inputs: [DatasetInput] = [],
        outputs: [ModelOutput] = []
    ) {
        self.info = info
        self.metrics = metrics
        self.params = params
        self.tags = tags
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// An MLflow 3 logged model: what `mlflow.<flavor>.log_model` creates before uploading files.
public struct LoggedModel: Sendable, Equatable {
    public var modelId: String
    public var experimentId: Int64
    public var name: String
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var artifactURI: String
    public var status: String
    public var modelType: String
    public var sourceRunId: String?
    public var lifecycleStage: LifecycleStage
    public var ownerUserId: String?
    public var tags: [KeyValue]
    public var params: [KeyValue]

    public init(
        modelId: String, experimentId: Int64, name: String, creationTime: Int64, lastUpdatedTime: Int64, artifactURI: String,
        status: String, modelType: String, sourceRunId: String?, lifecycleStage: LifecycleStage, ownerUserId: String?,
        tags: [KeyValue] = [], params: [KeyValue] = []
    ) {
        self.modelId = modelId
        self.experimentId = experimentId
        self.name = name
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.artifactURI = artifactURI
        self.status = status
        self.modelType = modelType
        self.sourceRunId = sourceRunId
        self.lifecycleStage = lifecycleStage
        self.ownerUserId = ownerUserId
        self.tags = tags
        self.params = params
    }

    public static let statuses: Set<String> = [
        "LOGGED_MODEL_STATUS_UNSPECIFIED", "LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED",
    ]
}

/// A dataset a run used, as `log_input` sends it.
public struct DatasetInput: Sendable, Equatable {
    public var name: String
    public var digest: String
    public var sourceType: String
    public var source: String
    public var schema: String?
    public var profile: String?
    public var tags: [KeyValue]

    public init(
        name: String, digest: String, sourceType: String, source: String, schema: String?, profile: String?, tags: [KeyValue]
    ) {
        self.name = name
        self.digest = digest
        self.sourceType = sourceType
        self.source = source
        self.schema = schema
        self.profile = profile
        self.tags = tags
    }

    /// The `mlflow.data.context` tag ("training", "eval"), which search can filter on.
    public var context: String? { tags.first { $0.key == "mlflow.data.context" }?.value }
}

/// A model a run produced (`runs/outputs`).
public struct ModelOutput: Sendable, Equatable {
    public var modelId: String
    public var step: Int64

    public init(modelId: String, step: Int64) {
        self.modelId = modelId
        self.step = step
    }
}

/// A dataset some run of an experiment used, in one context (`experiments/search-datasets`).
public struct DatasetSummary: Sendable, Equatable {
    public var experimentId: Int64
    public var name: String
    public var digest: String
    public var context: String?

    public init(experimentId: Int64, name: String, digest: String, context: String?) {
        self.experimentId = experimentId
        self.name = name
        self.digest = digest
        self.context = context
    }
}
