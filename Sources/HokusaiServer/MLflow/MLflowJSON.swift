import HokusaiCore

/// MLflow's response shapes, field for field as the reference server writes them: int64 as
/// numbers, ids as strings, empty lists left out (as protobuf JSON does).
enum MLflowJSON {
    static func experiment(_ experiment: Experiment) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("experiment_id", .string(String(experiment.id))),
            ("name", .string(experiment.name)),
            ("artifact_location", .string(experiment.artifactLocation)),
            ("lifecycle_stage", .string(experiment.lifecycleStage.rawValue)),
            ("last_update_time", .int64(experiment.lastUpdateTime)),
            ("creation_time", .int64(experiment.creationTime)),
        ]
        if !experiment.tags.isEmpty { fields.append(("tags", keyValues(experiment.tags))) }
        return .object(fields)
    }

    static func runInfo(_ info: RunInfo) -> JSONValue {
        var output = JSONOutput(reservingCapacity: 384)
        write(info, to: &output)
        return .encoded(output.bytes)
    }

    static func run(_ run: Run) -> JSONValue {
        var output = JSONOutput(reservingCapacity: 1024)
        write(run, to: &output)
        return .encoded(output.bytes)
    }

    /// A page of runs as one JSON array, written straight to bytes (`JSONOutput`).
    static func runs(_ runs: [Run]) -> JSONValue {
        array(of: runs, bytesPerItem: 768, writing: write)
    }

    /// Metric points as one JSON array, written straight to bytes.
    static func metrics(_ points: [MetricPoint]) -> JSONValue {
        array(of: points, bytesPerItem: 72, writing: write)
    }

    /// Points of several runs, each naming its run (`metrics/get-history-bulk-interval`).
    static func metrics(withRunIds points: [(runId: String, point: MetricPoint)]) -> JSONValue {
        array(of: points, bytesPerItem: 120) { item, output in
            output.beginObject()
            output.field("key", item.point.key)
            output.field("value", .double(item.point.value))
            output.field("timestamp", .int64(item.point.timestamp))
            output.field("step", .int64(item.point.step))
            output.field("run_id", item.runId)
            output.endObject()
        }
    }

    /// One JSON array of `items`; `bytesPerItem` is a guess that saves the buffer regrowing.
    private static func array<Item>(
        of items: [Item], bytesPerItem: Int, writing write: (Item, inout JSONOutput) -> Void
    ) -> JSONValue {
        var output = JSONOutput(reservingCapacity: items.count * bytesPerItem)
        output.beginArray()
        for item in items { write(item, &output) }
        output.endArray()
        return .encoded(output.bytes)
    }

    private static func write(_ run: Run, to output: inout JSONOutput) {
        output.beginObject()
        output.key("info")
        write(run.info, to: &output)
        output.key("data")
        output.beginObject()
        if !run.metrics.isEmpty {
            output.key("metrics")
            output.beginArray()
            for point in run.metrics { write(point, to: &output) }
            output.endArray()
        }
        if !run.params.isEmpty { write(run.params, as: "params", to: &output) }
        if !run.tags.isEmpty { write(run.tags, as: "tags", to: &output) }
        output.endObject()
        output.key("inputs")
        output.beginObject()
        if !run.inputs.isEmpty { output.field("dataset_inputs", .array(run.inputs.map(datasetInput))) }
        output.endObject()
        if !run.outputs.isEmpty {
            let outputs = run.outputs.map { JSONValue.object([("model_id", .string($0.modelId)), ("step", .int64($0.step))]) }
            output.field("outputs", .object([("model_outputs", .array(outputs))]))
        }
        output.endObject()
    }

    private static func write(_ info: RunInfo, to output: inout JSONOutput) {
        output.beginObject()
        output.field("run_uuid", info.runId)
        output.field("experiment_id", String(info.experimentId))
        output.field("run_name", info.runName)
        output.field("user_id", info.userId)
        output.field("status", info.status.rawValue)
        if let start = info.startTime { output.field("start_time", .int64(start)) }
        if let end = info.endTime { output.field("end_time", .int64(end)) }
        output.field("artifact_uri", info.artifactURI)
        output.field("lifecycle_stage", info.lifecycleStage.rawValue)
        output.field("run_id", info.runId)
        output.endObject()
    }

    private static func write(_ point: MetricPoint, to output: inout JSONOutput) {
        output.beginObject()
        output.field("key", point.key)
        output.field("value", .double(point.value))
        output.field("timestamp", .int64(point.timestamp))
        output.field("step", .int64(point.step))
        output.endObject()
    }

    private static func write(_ pairs: [KeyValue], as name: String, to output: inout JSONOutput) {
        output.key(name)
        output.beginArray()
        for pair in pairs {
            output.beginObject()
            output.field("key", pair.key)
            output.field("value", pair.value)
            output.endObject()
        }
        output.endArray()
    }

    static func datasetInput(_ input: DatasetInput) -> JSONValue {
        var dataset: [(String, JSONValue)] = [
            ("name", .string(input.name)), ("digest", .string(input.digest)), ("source_type", .string(input.sourceType)),
            ("source", .string(input.source)),
        ]
        if let schema = input.schema { dataset.append(("schema", .string(schema))) }
        if let profile = input.profile { dataset.append(("profile", .string(profile))) }
        var fields: [(String, JSONValue)] = []
        if !input.tags.isEmpty { fields.append(("tags", keyValues(input.tags))) }
        fields.append(("dataset", .object(dataset)))
        return .object(fields)
    }

    static func datasetSummary(_ summary: DatasetSummary) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("experiment_id", .string(String(summary.experimentId))), ("name", .string(summary.name)),
            ("digest", .string(summary.digest)),
        ]
        if let context = summary.context { fields.append(("context", .string(context))) }
        return .object(fields)
    }

    static func loggedModel(_ model: LoggedModel) -> JSONValue {
        var info: [(String, JSONValue)] = [
            ("model_id", .string(model.modelId)),
            ("experiment_id", .string(String(model.experimentId))),
            ("name", .string(model.name)),
            ("creation_timestamp_ms", .int64(model.creationTime)),
            ("last_updated_timestamp_ms", .int64(model.lastUpdatedTime)),
            ("artifact_uri", .string(model.artifactURI)),
            ("status", .string(model.status)),
            ("model_type", .string(model.modelType)),
        ]
        if let run = model.sourceRunId { info.append(("source_run_id", .string(run))) }
        if !model.tags.isEmpty { info.append(("tags", keyValues(model.tags))) }
        var data: [(String, JSONValue)] = []
        if !model.params.isEmpty { data.append(("params", keyValues(model.params))) }
        return .object([("info", .object(info)), ("data", .object(data))])
    }

    static func keyValues(_ pairs: [KeyValue]) -> JSONValue {
        .array(pairs.map { .object([("key", .string($0.key)), ("value", .string($0.value))]) })
    }

    static let empty = JSONValue.object([])
}
