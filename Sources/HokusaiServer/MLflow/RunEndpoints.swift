import HokusaiCore
import HokusaiStore

/// `runs/*` and `metrics/get-history`: the run lifecycle and everything logged to a run.
struct RunEndpoints {
    let tracking: TrackingService

    var endpoints: [MLflowEndpoint] {
        [
            MLflowEndpoint(method: .post, path: "runs/create", scope: .write, handler: create),
            MLflowEndpoint(method: .get, path: "runs/get", scope: .read, handler: get),
            MLflowEndpoint(method: .post, path: "runs/update", scope: .write, handler: update),
            MLflowEndpoint(method: .post, path: "runs/delete", scope: .write, handler: delete),
            MLflowEndpoint(method: .post, path: "runs/restore", scope: .write, handler: restore),
            MLflowEndpoint(method: .post, path: "runs/log-metric", scope: .write, handler: logMetric),
            MLflowEndpoint(method: .post, path: "runs/log-parameter", scope: .write, handler: logParameter),
            MLflowEndpoint(method: .post, path: "runs/set-tag", scope: .write, handler: setTag),
            MLflowEndpoint(method: .post, path: "runs/delete-tag", scope: .write, handler: deleteTag),
            MLflowEndpoint(method: .post, path: "runs/log-batch", scope: .write, handler: logBatch),
            MLflowEndpoint(method: .post, path: "runs/search", scope: .read, handler: search),
            MLflowEndpoint(method: .get, path: "metrics/get-history", scope: .read, handler: history),
            MLflowEndpoint(
                method: .get, path: "metrics/get-history-bulk-interval", scope: .read, handler: historyBulkInterval),
        ]
    }

    @Sendable func create(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        // Checked as MLflow types it, then ignored: a run's user is its key's (TrackingService.createRun).
        _ = try p.string("user_id")
        let run = try await tracking.createRun(
            .init(
                experimentId: try p.string("experiment_id") ?? "0",
                runName: try p.string("run_name"), startTime: try p.int64("start_time"), tags: try p.keyValues("tags")),
            actor: call.actor)
        return .object([("run", MLflowJSON.run(run))])
    }

    @Sendable func get(_ call: MLflowCall) async throws -> JSONValue {
        .object([("run", MLflowJSON.run(try await tracking.run(id: try call.parameters.runId())))])
    }

    @Sendable func update(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        var status: RunStatus?
        if let raw = try p.string("status") {
            guard let parsed = RunStatus(rawValue: raw) else { throw MLflowParameters.invalid(.string(raw), "status") }
            status = parsed
        }
        let info = try await tracking.updateRun(
            id: try p.runId(), status: status, endTime: try p.int64("end_time"), runName: try p.string("run_name"),
            actor: call.actor)
        return .object([("run_info", MLflowJSON.runInfo(info))])
    }

    @Sendable func delete(_ call: MLflowCall) async throws -> JSONValue {
        try await tracking.setRunStage(id: try call.parameters.runId(), .deleted, actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func restore(_ call: MLflowCall) async throws -> JSONValue {
        try await tracking.setRunStage(id: try call.parameters.runId(), .active, actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func logMetric(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let runId = try p.runId()
        let point = try Self.metric(p.values, prefix: "")
        try await tracking.logBatch(runId: runId, metrics: [point], params: [], tags: [], actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func logParameter(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let runId = try p.runId()
        let param = KeyValue(key: try p.requiredString("key"), value: try p.string("value") ?? "")
        try await tracking.logBatch(runId: runId, metrics: [], params: [param], tags: [], actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func setTag(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let runId = try p.runId()
        let tag = KeyValue(key: try p.requiredString("key"), value: try p.string("value") ?? "")
        try await tracking.logBatch(runId: runId, metrics: [], params: [], tags: [tag], actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func deleteTag(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        try await tracking.deleteTag(runId: try p.runId(), key: try p.requiredString("key"), actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func logBatch(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let runId = try p.runId()
        let metrics = try p.list("metrics").enumerated().map { index, item throws(MLflowError) -> MetricPoint in
            guard case .object(let fields) = item else { throw MLflowParameters.invalid(item, "metrics") }
            return try Self.metric(fields, prefix: "metrics[\(index)].")
        }
        try await tracking.logBatch(
            runId: runId, metrics: metrics, params: try p.keyValues("params"), tags: try p.keyValues("tags"),
            actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func search(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let result = try await tracking.searchRuns(
            experimentIds: try p.strings("experiment_ids"), filter: try p.string("filter"),
            viewType: try ExperimentEndpoints.viewType(p, "run_view_type"), maxResults: try p.int("max_results"),
            orderBy: try p.strings("order_by"), pageToken: try p.string("page_token"))
        var fields: [(String, JSONValue)] = []
        if !result.runs.isEmpty { fields.append(("runs", MLflowJSON.runs(result.runs))) }
        if let next = result.nextPageToken { fields.append(("next_page_token", .string(next))) }
        return .object(fields)
    }

    @Sendable func history(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let result = try await tracking.metricHistory(
            runId: try p.runId(), key: try p.requiredString("metric_key"), maxResults: try p.int("max_results"),
            pageToken: try p.string("page_token"))
        var fields: [(String, JSONValue)] = [("metrics", MLflowJSON.metrics(result.points))]
        if let next = result.nextPageToken { fields.append(("next_page_token", .string(next))) }
        return .object(fields)
    }

    /// The UI's metric charts: one metric of up to 100 runs, each sampled to `max_results` points.
    @Sendable func historyBulkInterval(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let sampled = try await tracking.metricHistoryBulkInterval(
            runIds: try p.strings("run_ids"), key: try p.requiredString("metric_key"), startStep: try p.int64("start_step"),
            endStep: try p.int64("end_step"), maxResults: try p.int("max_results"))
        guard !sampled.isEmpty else { return MLflowJSON.empty }
        return .object([("metrics", MLflowJSON.metrics(withRunIds: sampled))])
    }

    /// A metric from `fields`, named in messages with `prefix` (`metrics[3].` in a batch), which
    /// is made only for a message: a batch converts a thousand metrics.
    static func metric(_ fields: [String: JSONAny], prefix: @autoclosure () -> String) throws(MLflowError) -> MetricPoint {
        let element = MLflowParameters(fields)
        guard let key = try element.string("key"), !key.isEmpty else { throw .missing("\(prefix())key") }
        guard let rawValue = element.raw("value") else { throw .missing("\(prefix())value") }
        let value = try MLflowParameters.double(rawValue, name: "\(prefix())value")
        guard let rawTimestamp = element.raw("timestamp") else { throw .missing("\(prefix())timestamp") }
        let timestamp = try MLflowParameters.int64(rawTimestamp, name: "\(prefix())timestamp")
        guard timestamp >= 0 else {
            throw .invalid(
                "Invalid value \(timestamp) for parameter '\(prefix())timestamp' supplied. Timestamp must be a nonnegative long (64-bit integer)"
            )
        }
        let step =
            try element.raw("step").map { raw throws(MLflowError) in try MLflowParameters.int64(raw, name: "\(prefix())step") }
            ?? 0
        return MetricPoint(key: key, value: value, timestamp: timestamp, step: step)
    }
}
