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
        var fields: [(String, JSONValue)] = [
            ("run_uuid", .string(info.runId)),
            ("experiment_id", .string(String(info.experimentId))),
            ("run_name", .string(info.runName)),
            ("user_id", .string(info.userId)),
            ("status", .string(info.status.rawValue)),
        ]
        if let start = info.startTime { fields.append(("start_time", .int64(start))) }
        if let end = info.endTime { fields.append(("end_time", .int64(end))) }
        fields += [
            ("artifact_uri", .string(info.artifactURI)),
            ("lifecycle_stage", .string(info.lifecycleStage.rawValue)),
            ("run_id", .string(info.runId)),
        ]
        return .object(fields)
    }

    static func run(_ run: Run) -> JSONValue {
        var data: [(String, JSONValue)] = []
        if !run.metrics.isEmpty { data.append(("metrics", .array(run.metrics.map(metric)))) }
        if !run.params.isEmpty { data.append(("params", keyValues(run.params))) }
        if !run.tags.isEmpty { data.append(("tags", keyValues(run.tags))) }
        var inputs: [(String, JSONValue)] = []
        if !run.inputs.isEmpty { inputs.append(("dataset_inputs", .array(run.inputs.map(datasetInput)))) }
        var fields: [(String, JSONValue)] = [("info", runInfo(run.info)), ("data", .object(data)), ("inputs", .object(inputs))]
        if !run.outputs.isEmpty {
            let outputs = run.outputs.map { JSONValue.object([("model_id", .string($0.modelId)), ("step", .int64($0.step))]) }
            fields.append(("outputs", .object([("model_outputs", .array(outputs))])))
        }
        return .object(fields)
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

    static func metric(_ point: MetricPoint) -> JSONValue {
        .object([
            ("key", .string(point.key)), ("value", .double(point.value)), ("timestamp", .int64(point.timestamp)),
            ("step", .int64(point.step)),
        ])
    }

    static func keyValues(_ pairs: [KeyValue]) -> JSONValue {
        .array(pairs.map { .object([("key", .string($0.key)), ("value", .string($0.value))]) })
    }

    static let empty = JSONValue.object([])
}
