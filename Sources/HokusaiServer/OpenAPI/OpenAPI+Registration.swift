/// The Hokusai registration API: linking model versions to tokens, and reading them back.
extension OpenAPIDocument {
    static let registrationOperations: [APIOperation] = [
        APIOperation(
            method: .post, path: "/api/models/register", access: .key(.write), tag: "registration",
            summary: "Register a model version for a token, queueing its registration event",
            body: Schema.object(
                required: ["model_uri", "model_name", "token_id", "metric_name", "baseline_value"],
                [
                    "model_uri": Schema.string, "model_name": Schema.name, "token_id": Schema.string,
                    "proposal_identifier": Schema.string, "metric_name": Schema.string,
                    "metric_direction": Schema.enumeration(["higher_is_better", "lower_is_better"]),
                    "baseline_value": Schema.number, "current_value": Schema.number, "metadata": Schema.stringMap,
                    "tags": Schema.stringMap, "eval_spec": Schema.string, "scorer_ref": Schema.string,
                    "primary_metric": Schema.string, "benchmark_spec_id": Schema.string, "api_schema": Schema.object(),
                    "dry_run": Schema.boolean,
                ]),
            replies: [
                .init(status: 201, description: "Registered; the event is queued", schema: Schema.ref("Registration")),
                .init(status: 200, description: "A dry run: what would be recorded", schema: Schema.ref("DryRun")),
                .init(status: 422, description: "Fields that break a rule, each named", schema: Schema.ref("HokusaiError")),
            ]),
        APIOperation(
            method: .post, path: "/api/models/tokenized-registration-events", access: .key(.write), tag: "registration",
            summary: "Record a tokenized registration event for an existing model version",
            body: Schema.object(
                required: ["model_name", "version", "token_id", "proposal_identifier", "mlflow_run_id"],
                [
                    "model_name": Schema.name, "version": Schema.int64, "token_id": Schema.string,
                    "proposal_identifier": Schema.string, "mlflow_run_id": Schema.string, "model_uri": Schema.string,
                    "metric_name": Schema.string, "baseline_value": Schema.number, "current_value": Schema.number,
                    "dry_run": Schema.boolean,
                ]),
            replies: [
                .init(
                    status: 200, description: "Recorded (or a dry run's preview)",
                    schema: Schema.object(required: ["status", "model_name", "version", "event_emitted"])),
                .init(status: 422, description: "Fields that break a rule, each named", schema: Schema.ref("HokusaiError")),
            ]),
        APIOperation(
            method: .get, path: "/api/models", access: .key(.read), tag: "registration",
            summary: "Registered model versions, by name, token or status",
            query: pageQuery + [
                .init(name: "name", schema: Schema.string), .init(name: "token_id", schema: Schema.string),
                .init(name: "status", schema: Schema.string),
            ],
            replies: [.init(status: 200, description: "A page of versions", schema: versionList)]),
        APIOperation(
            method: .get, path: "/api/models/production", access: .key(.read), tag: "registration",
            summary: "Versions in production", replies: [.init(status: 200, description: "Versions", schema: versionList)]),
        APIOperation(
            method: .get, path: "/api/models/by-token/{token_id}", access: .key(.read), tag: "registration",
            summary: "The versions registered for a token",
            replies: [
                .init(
                    status: 200, description: "Versions",
                    schema: Schema.object(
                        required: ["token_id", "models"],
                        ["token_id": Schema.string, "models": Schema.array(Schema.ref("HokusaiModelVersion"))]))
            ]),
        APIOperation(
            method: .get, path: "/api/models/{name}/lineage", access: .key(.read), tag: "registration",
            summary: "A model's versions with their benchmark claims, oldest first",
            replies: [
                .init(
                    status: 200, description: "Lineage",
                    schema: Schema.object(
                        required: ["model_name", "lineage", "total_versions"],
                        [
                            "model_name": Schema.string, "lineage": Schema.array(Schema.object(required: ["version"])),
                            "total_versions": Schema.integer, "latest_version": Schema.nullable(Schema.string),
                        ]))
            ]),
        APIOperation(
            method: .patch, path: "/api/models/{name}", access: .key(.admin), tag: "registration",
            summary: "Give a registered model to another user",
            body: Schema.object(required: ["owner"], ["owner": ["type": "string", "pattern": "^[A-Za-z0-9_.@-]{1,256}$"]]),
            replies: [
                .init(
                    status: 200, description: "Transferred",
                    schema: Schema.object(
                        required: ["name", "owner"],
                        ["name": Schema.string, "owner": Schema.string, "last_updated_timestamp": Schema.integer]))
            ]),
        APIOperation(
            method: .get, path: "/api/models/{name}/{version}", access: .key(.read), tag: "registration",
            summary: "One model version",
            replies: [.init(status: 200, description: "The version", schema: Schema.ref("HokusaiModelVersion"))]),
        APIOperation(
            method: .patch, path: "/api/models/{name}/{version}", access: .key(.write), tag: "registration",
            summary: "Change a version's description or tags",
            body: Schema.object(["description": Schema.string, "tags": Schema.stringMap]),
            replies: [.init(status: 200, description: "Updated", schema: versionChange)]),
        APIOperation(
            method: .delete, path: "/api/models/{name}/{version}", access: .key(.write), tag: "registration",
            summary: "Delete a version",
            replies: [
                .init(
                    status: 200, description: "Deleted", schema: Schema.object(required: ["message"], ["message": Schema.string]))
            ]),
        APIOperation(
            method: .post, path: "/api/models/{name}/{version}/transition", access: .key(.write), tag: "registration",
            summary: "Move a version to a stage (sets the alias and the lifecycle tag)",
            body: Schema.object(["stage": Schema.stage]), bodyRequired: false,
            replies: [.init(status: 200, description: "Transitioned", schema: versionChange)]),
    ]

    static let versionList = Schema.object(
        required: ["models"],
        ["models": Schema.array(Schema.ref("HokusaiModelVersion")), "next_page_token": Schema.string])
    static let versionChange = Schema.object(
        required: ["message", "model"], ["message": Schema.string, "model": Schema.ref("HokusaiModelVersion")])
}
