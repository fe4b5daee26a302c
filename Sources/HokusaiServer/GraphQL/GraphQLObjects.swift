import HokusaiCore

/// Our models as MLflow's GraphQL objects, field names in graphene's camelCase. A value left out
/// answers null, as an unset proto field does in MLflow.
enum GraphQLObjects {
    static func experiment(_ experiment: Experiment) -> GraphQLObject {
        [
            "experimentId": String(experiment.id), "name": experiment.name, "artifactLocation": experiment.artifactLocation,
            "lifecycleStage": experiment.lifecycleStage.rawValue, "lastUpdateTime": experiment.lastUpdateTime,
            "creationTime": experiment.creationTime, "tags": keyValues(experiment.tags),
        ]
    }

    static func run(_ run: Run) -> GraphQLObject {
        var info: GraphQLObject = [
            "runId": run.info.runId, "runUuid": run.info.runId, "runName": run.info.runName,
            "experimentId": String(run.info.experimentId), "userId": run.info.userId, "status": run.info.status.rawValue,
            "artifactUri": run.info.artifactURI, "lifecycleStage": run.info.lifecycleStage.rawValue,
        ]
        info["startTime"] = run.info.startTime
        info["endTime"] = run.info.endTime
        let datasets: [GraphQLObject] = run.inputs.map { input in
            var dataset: GraphQLObject = [
                "name": input.name, "digest": input.digest, "sourceType": input.sourceType, "source": input.source,
            ]
            dataset["schema"] = input.schema
            dataset["profile"] = input.profile
            return ["dataset": dataset, "tags": keyValues(input.tags)]
        }
        return [
            "info": info,
            "data": [
                "metrics": run.metrics.map(metric), "params": keyValues(run.params), "tags": keyValues(run.tags),
            ] as GraphQLObject,
            "inputs": ["datasetInputs": datasets, "modelInputs": [GraphQLObject]()] as GraphQLObject,
            "outputs": [
                "modelOutputs": run.outputs.map { ["modelId": $0.modelId, "step": $0.step] as GraphQLObject }
            ] as GraphQLObject,
        ]
    }

    /// The run a `run` object was made from, for the fields that resolve lazily.
    static func runIdentity(of object: any Sendable) -> (runId: String, experimentId: String)? {
        guard let info = (object as? GraphQLObject)?["info"] as? GraphQLObject,
            let runId = info["runId"] as? String, let experimentId = info["experimentId"] as? String
        else { return nil }
        return (runId, experimentId)
    }

    static func metric(_ point: MetricPoint) -> GraphQLObject {
        var object: GraphQLObject = ["key": point.key, "timestamp": point.timestamp, "step": point.step]
        // GraphQL's Float has no NaN: MLflow answers null for it.
        if !point.value.isNaN { object["value"] = point.value }
        return object
    }

    static func metric(_ point: MetricPoint, runId: String) -> GraphQLObject {
        var object = metric(point)
        object["runId"] = runId
        return object
    }

    static func modelVersion(_ version: ModelVersion) -> GraphQLObject {
        var object: GraphQLObject = [
            "name": version.name, "version": String(version.version), "creationTimestamp": version.creationTime,
            "lastUpdatedTimestamp": version.lastUpdatedTime, "userId": version.userId,
            "currentStage": version.stage.rawValue, "description": version.description, "source": version.source,
            "runId": version.runId ?? "", "status": "READY", "runLink": version.runLink ?? "",
            "tags": keyValues(version.tags), "aliases": version.aliases, "modelParams": [GraphQLObject](),
            "modelMetrics": [GraphQLObject](),
        ]
        object["modelId"] = version.modelId
        return object
    }

    static func apiError(_ error: MLflowError) -> GraphQLObject {
        ["apiError": ["code": error.code.rawValue, "message": error.message] as GraphQLObject]
    }

    static func keyValues(_ pairs: [KeyValue]) -> [GraphQLObject] {
        pairs.map { ["key": $0.key, "value": $0.value] }
    }
}
