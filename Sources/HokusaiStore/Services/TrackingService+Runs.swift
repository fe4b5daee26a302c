import Foundation
import HokusaiCore
import SQLKit

extension TrackingService {
    public static let maxMetricsPerBatch = 1000
    public static let maxParamsTagsPerBatch = 100
    public static let maxEntitiesPerBatch = 1000
    public static let metricHistoryMaximum = 25000

    public struct NewRun: Sendable {
        public var experimentId: String
        public var runName: String?
        public var startTime: Int64?
        public var tags: [KeyValue]

        public init(experimentId: String, runName: String?, startTime: Int64?, tags: [KeyValue]) {
            self.experimentId = experimentId
            self.runName = runName
            self.startTime = startTime
            self.tags = tags
        }
    }

    public func createRun(_ request: NewRun, actor: TrackingActor) async throws -> Run {
        let experimentId = try Self.experimentId(request.experimentId)
        let tags = try request.tags.map(Self.validTag)
        let runId = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        // The name: the request's, else the mlflow.runName tag's, else a generated one; the tag always agrees.
        let taggedName = tags.last { $0.key == "mlflow.runName" }?.value
        let runName = request.runName.flatMap { $0.isEmpty ? nil : $0 } ?? taggedName ?? RunNames.generate()
        // A run is its key's user's: the client's `user_id` and `mlflow.user` (the OS account name
        // the MLflow client sends on its own) are replaced, never trusted, so no run shows another
        // user as its author. They are ignored rather than refused, as the stock client always sends them.
        var allTags = tags.filter { $0.key != "mlflow.runName" && $0.key != "mlflow.user" }
        allTags.append(KeyValue(key: "mlflow.user", value: actor.userId))
        allTags.append(KeyValue(key: "mlflow.runName", value: runName))
        let finalTags = allTags
        return try await database.transaction { [experiments, runs] db in
            guard let experiment = try await experiments.find(id: experimentId, on: db) else {
                throw MLflowError.notFound("No Experiment with id=\(request.experimentId) exists")
            }
            guard experiment.lifecycleStage == .active else {
                throw MLflowError.invalid(
                    "The experiment \(request.experimentId) must be in the 'active' state. Current state is deleted.")
            }
            if experiment.id != 0 {
                try actor.requireOwnership(
                    of: "Experiment \(request.experimentId) ('\(experiment.name)')", ownedBy: experiment.ownerUserId)
            }
            let info = RunInfo(
                runId: runId, experimentId: experimentId, runName: runName, userId: actor.userId,
                status: .running, startTime: request.startTime ?? Timestamp.nowMillis(), endTime: nil,
                artifactURI: "mlflow-artifacts:/\(experimentId)/\(runId)/artifacts", lifecycleStage: .active,
                ownerUserId: actor.userId)
            try await runs.insert(info, on: db)
            try await runs.setTags(runId: runId, finalTags, on: db)
            return Run(info: info, metrics: [], params: [], tags: finalTags)
        }
    }

    public func run(id runId: String) async throws -> Run {
        guard let run = try await database.read({ [runs] db in try await runs.run(runId: runId, on: db) }) else {
            throw MLflowError.notFound("Run with id=\(runId) not found")
        }
        return run
    }

    public func updateRun(
        id runId: String, status: RunStatus?, endTime: Int64?, runName: String?, actor: TrackingActor
    ) async throws -> RunInfo {
        try await changeRun(runId, actor: actor) { [runs] info, db in
            var updated = info
            if let status { updated.status = status }
            if let endTime { updated.endTime = endTime }
            if let runName, !runName.isEmpty {
                updated.runName = runName
                try await runs.setTags(runId: runId, [KeyValue(key: "mlflow.runName", value: runName)], on: db)
            }
            try await runs.update(updated, on: db)
            return updated
        }
    }

    public func setRunStage(id runId: String, _ stage: LifecycleStage, actor: TrackingActor) async throws {
        _ = try await changeRun(runId, actor: actor, requireActive: false) { [runs] info, db in
            var updated = info
            updated.lifecycleStage = stage
            try await runs.update(updated, on: db)
            return updated
        }
    }

    public func logBatch(
        runId: String, metrics points: [MetricPoint], params: [KeyValue], tags: [KeyValue], actor: TrackingActor
    ) async throws {
        try Self.checkBatchSizes(metrics: points.count, params: params.count, tags: tags.count)
        // A batch repeats a few keys many times: each distinct key is checked once, in order.
        var checked = Set<String>()
        for point in points where checked.insert(point.key).inserted {
            try TrackingNames.validateKey(point.key, entity: .metric)
        }
        let params = try params.map(Self.validParam)
        let tags = try tags.map(Self.validTag)
        var seen = Set<String>()
        let duplicates = params.map(\.key).filter { !seen.insert($0).inserted }
        if !duplicates.isEmpty {
            let names = Array(Set(duplicates)).sorted().map { "'\($0)'" }.joined(separator: ", ")
            throw MLflowError.invalid(
                "Duplicate parameter keys have been submitted: [\(names)]. Please ensure the request contains only one param value per param key."
            )
        }
        _ = try await changeRun(runId, actor: actor) { [runs, metrics] info, db in
            let existing = try await runs.params(runId: runId, keys: params.map(\.key), on: db)
            let conflicts = params.filter { existing[$0.key] != nil && existing[$0.key] != $0.value }
            if conflicts.count == 1, params.count == 1, let conflict = conflicts.first {
                throw MLflowError.invalid(
                    "Changing param values is not allowed. Param with key='\(conflict.key)' was already logged with "
                        + "value='\(existing[conflict.key]!)' for run ID='\(runId)'. Attempted logging new value '\(conflict.value)'."
                )
            }
            if !conflicts.isEmpty {
                let listed = conflicts.map {
                    "{'key': '\($0.key)', 'old_value': '\(existing[$0.key]!)', 'new_value': '\($0.value)'}"
                }.joined(separator: ", ")
                throw MLflowError.invalid(
                    "Changing param values is not allowed. Params were already logged='[\(listed)]' for run ID='\(runId)'.")
            }
            try await runs.insertParams(runId: runId, params, on: db)
            try await metrics.log(runId: runId, points, on: db)
            try await runs.setTags(runId: runId, tags, on: db)
            return info
        }
    }

    public func deleteTag(runId: String, key: String, actor: TrackingActor) async throws {
        _ = try await changeRun(runId, actor: actor) { [runs] info, db in
            guard try await runs.tag(runId: runId, key: key, on: db) != nil else {
                throw MLflowError.notFound("No tag with name: \(key) in run with id \(runId)")
            }
            try await runs.deleteTag(runId: runId, key: key, on: db)
            return info
        }
    }

    public func metricHistory(
        runId: String, key: String, maxResults: Int?, pageToken: String?
    ) async throws -> (points: [MetricPoint], nextPageToken: String?) {
        let limit = try Self.maxResults(maxResults, default: Self.metricHistoryMaximum, maximum: Self.metricHistoryMaximum)
        let offset = try OffsetPageToken.decode(pageToken)
        return try await database.read { [runs, metrics] db in
            guard try await runs.find(runId: runId, on: db) != nil else {
                throw MLflowError.notFound("Run with id=\(runId) not found")
            }
            let points = try await metrics.history(runId: runId, key: key, limit: limit, offset: offset, on: db)
            return (points, OffsetPageToken.next(offset: offset, limit: limit, returned: points.count))
        }
    }

    /// Loads the run in a transaction, checks ownership and (unless told otherwise) that it is
    /// active, then applies `change`.
    public static let bulkIntervalMaximumRuns = 100
    public static let bulkIntervalMaximumPerRun = 2500

    /// One metric of several runs for a chart, each run's history sampled to at most `maxResults`
    /// points (default 2,500) within `startStep...endStep`, with MLflow's checks and messages.
    public func metricHistoryBulkInterval(
        runIds: [String], key: String, startStep: Int64?, endStep: Int64?, maxResults: Int?
    ) async throws -> [(runId: String, point: MetricPoint)] {
        guard !runIds.isEmpty else { throw MLflowError.missing("run_ids") }
        guard runIds.count <= Self.bulkIntervalMaximumRuns else {
            throw MLflowError.invalid(
                "GetMetricHistoryBulkInterval request must specify at most \(Self.bulkIntervalMaximumRuns) run_ids. Received \(runIds.count) run_ids."
            )
        }
        guard !key.isEmpty else { throw MLflowError.missing("metric_key") }
        let perRun = maxResults ?? Self.bulkIntervalMaximumPerRun
        guard (1...Self.bulkIntervalMaximumPerRun).contains(perRun) else {
            throw MLflowError.invalid("max_results must be between 1 and \(Self.bulkIntervalMaximumPerRun).")
        }
        let steps = try Self.stepRange(start: startStep, end: endStep)
        return try await database.read { [runs, metrics] db in
            for runId in runIds where try await runs.find(runId: runId, on: db) == nil {
                throw MLflowError.notFound("Run with id=\(runId) not found")
            }
            var result: [(runId: String, point: MetricPoint)] = []
            for runId in runIds {
                let points = try await metrics.sampledHistory(
                    runId: runId, key: key, steps: steps, maxResults: perRun, on: db)
                result += points.map { (runId, $0) }
            }
            return result
        }
    }

    /// `start...end`, or nil when neither is given; MLflow's messages when only one is, or they cross.
    static func stepRange(start: Int64?, end: Int64?) throws(MLflowError) -> ClosedRange<Int64>? {
        switch (start, end) {
        case (nil, nil): return nil
        case (let start?, let end?):
            guard start <= end else {
                throw .invalid("end_step must be greater than start_step. Found start_step=\(start) and end_step=\(end).")
            }
            return start...end
        default:
            throw .invalid("If either start step or end step are specified, both must be specified.")
        }
    }

    func changeRun(
        _ runId: String, actor: TrackingActor, requireActive: Bool = true,
        _ change: @escaping @Sendable (RunInfo, any SQLDatabase) async throws -> RunInfo
    ) async throws -> RunInfo {
        try await database.transaction { [runs] db in
            guard let info = try await runs.find(runId: runId, on: db) else {
                throw MLflowError.notFound("Run with id=\(runId) not found")
            }
            try actor.requireOwnership(of: "Run \(runId)", ownedBy: info.ownerUserId)
            if requireActive, info.lifecycleStage != .active {
                throw MLflowError.invalid(
                    "The run \(runId) must be in the 'active' state. Current state is \(info.lifecycleStage.rawValue).")
            }
            return try await change(info, db)
        }
    }

    static func checkBatchSizes(metrics: Int, params: Int, tags: Int) throws(MLflowError) {
        func tooMany(_ limit: Int, _ what: String, _ got: Int) -> MLflowError {
            .invalid(
                "A batch logging request can contain at most \(limit) \(what). Got \(got) \(what). "
                    + "Please split up \(what) across multiple requests and try again.")
        }
        if metrics > maxMetricsPerBatch { throw tooMany(maxMetricsPerBatch, "metrics", metrics) }
        if params > maxParamsTagsPerBatch { throw tooMany(maxParamsTagsPerBatch, "params", params) }
        if tags > maxParamsTagsPerBatch { throw tooMany(maxParamsTagsPerBatch, "tags", tags) }
        let total = metrics + params + tags
        if total > maxEntitiesPerBatch { throw tooMany(maxEntitiesPerBatch, "metrics, params, and tags", total) }
    }

    static func validParam(_ param: KeyValue) throws(MLflowError) -> KeyValue {
        try TrackingNames.validateKey(param.key, entity: .param)
        return KeyValue(key: param.key, value: TrackingNames.truncated(param.value, limit: TrackingNames.maxParamValueLength))
    }

    static func validTag(_ tag: KeyValue) throws(MLflowError) -> KeyValue {
        try TrackingNames.validateKey(tag.key, entity: .tag)
        return KeyValue(key: tag.key, value: TrackingNames.truncated(tag.value, limit: TrackingNames.maxTagValueLength))
    }
}
