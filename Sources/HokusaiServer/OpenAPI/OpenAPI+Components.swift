/// The shapes operations refer to (`#/components/schemas/…`).
extension OpenAPIDocument {
    static let hokusaiSchemas: KeyValuePairs<String, JSONLiteral> = [
        "HokusaiError": Schema.object(
            required: ["detail", "error", "message"],
            ["detail": Schema.string, "error": Schema.string, "message": Schema.string, "request_id": Schema.string]),
        "Health": Schema.object(
            required: ["status", "service", "version"],
            ["status": Schema.string, "service": Schema.string, "version": Schema.string, "timestamp": Schema.string]),
        "Readiness": Schema.object(
            required: ["ready", "checks"],
            [
                "ready": Schema.boolean,
                "checks": Schema.array(
                    Schema.object(
                        required: ["name", "passed"],
                        [
                            "name": Schema.string, "passed": Schema.boolean, "critical": Schema.boolean,
                            "detail": Schema.string, "latency_ms": Schema.number,
                        ])),
            ]),
        "TrackingHealth": Schema.object(
            required: ["status", "backend"],
            [
                "status": Schema.enumeration(["ok", "error"]), "backend": Schema.enumeration(["builtin", "upstream"]),
                "latency_ms": Schema.number, "error": Schema.string, "checks": Schema.array(Schema.object()),
            ]),
        "Validation": Schema.object(
            required: ["is_valid", "code", "message"],
            [
                "is_valid": Schema.boolean, "code": Schema.string, "message": Schema.string,
                "key_id": Schema.nullable(Schema.string), "user_id": Schema.nullable(Schema.string),
                "scopes": Schema.nullable(Schema.array(Schema.string)), "is_admin": Schema.nullable(Schema.boolean),
                "rate_limit_per_hour": Schema.nullable(Schema.integer), "expires_at": Schema.nullable(Schema.string),
            ]),
        "KeyInfo": Schema.object(
            required: [
                "id", "key_id", "name", "masked_key", "user_id", "scopes", "is_admin", "is_active", "rate_limit_per_hour",
            ],
            [
                "id": Schema.string, "key_id": Schema.string, "name": Schema.string, "masked_key": Schema.string,
                "key_prefix": Schema.string, "user_id": Schema.string, "email": Schema.nullable(Schema.string),
                "service_id": Schema.string, "environment": Schema.string, "scopes": Schema.array(Schema.string),
                "is_admin": Schema.boolean, "is_active": Schema.boolean, "rate_limit_per_hour": Schema.integer,
                "billing_plan": Schema.string, "created_at": Schema.string, "expires_at": Schema.nullable(Schema.string),
                "revoked_at": Schema.nullable(Schema.string), "last_used_at": Schema.nullable(Schema.string),
                "parent_key_id": Schema.nullable(Schema.string), "budget_key_id": Schema.nullable(Schema.string),
            ]),
        "IssuedKey": Schema.object(
            required: ["api_key", "key_id", "key_info"],
            [
                "api_key": Schema.string, "key_id": Schema.string, "key_info": Schema.ref("KeyInfo"),
                "previous_key": Schema.nullable(Schema.ref("KeyInfo")),
            ]),
        "AuditEvent": Schema.object(
            required: ["id", "occurred_at", "event"],
            [
                "id": Schema.string, "occurred_at": Schema.string, "event": Schema.string,
                "key_id": Schema.nullable(Schema.string), "user_id": Schema.nullable(Schema.string),
                "code": Schema.nullable(Schema.string),
            ]),
        "OutboxEvent": Schema.object(
            required: ["event_id", "event_type", "state", "model_name", "version", "token_id", "attempts", "created_at"],
            [
                "event_id": Schema.string, "event_type": Schema.string,
                "state": Schema.enumeration(["queued", "delivered", "dead"]), "model_name": Schema.string,
                "version": Schema.string, "token_id": Schema.string, "idempotency_key": Schema.string,
                "attempts": Schema.integer, "created_at": Schema.integer, "next_attempt_at": Schema.nullable(Schema.integer),
                "delivered_at": Schema.nullable(Schema.integer), "last_status": Schema.nullable(Schema.integer),
                "last_error": Schema.nullable(Schema.string), "payload": Schema.string,
            ]),
        "EventSummary": Schema.object(
            required: ["webhook_targets", "queued", "delivered", "dead"],
            [
                "webhook_targets": Schema.integer, "queued": Schema.integer, "delivered": Schema.integer,
                "dead": Schema.integer, "oldest_queued_at": Schema.nullable(Schema.integer),
                "last_delivered_at": Schema.nullable(Schema.integer), "latest_failure": Schema.nullable(Schema.object()),
            ]),
        "HokusaiModelVersion": Schema.object(
            required: ["name", "version", "stage", "aliases", "tags"],
            [
                "name": Schema.string, "version": Schema.string, "status": Schema.string,
                "hokusai_status": Schema.nullable(Schema.string), "token_id": Schema.nullable(Schema.string),
                "stage": Schema.string, "aliases": Schema.array(Schema.string), "description": Schema.string,
                "source": Schema.string, "run_id": Schema.nullable(Schema.string), "owner": Schema.string,
                "created_at": Schema.integer, "last_updated_at": Schema.integer, "tags": Schema.stringMap,
            ]),
        "Registration": Schema.object(
            required: ["model_id", "model_name", "version", "status", "token_id", "event_id", "event_status", "model"],
            [
                "model_id": Schema.string, "model_name": Schema.string, "version": Schema.string, "status": Schema.string,
                "registration_timestamp": Schema.integer, "token_id": Schema.string, "event_id": Schema.string,
                "event_status": Schema.string, "model": Schema.ref("HokusaiModelVersion"),
            ]),
        "DryRun": Schema.object(
            required: ["status", "dry_run", "event_emitted", "model_name", "version", "token_id"],
            [
                "status": Schema.string, "dry_run": Schema.boolean, "event_emitted": Schema.boolean,
                "model_name": Schema.string, "version": Schema.string, "token_id": Schema.string,
                "event": Schema.anything,
            ]),
    ]

    static let keyValueSchema = Schema.object(required: ["key"], ["key": Schema.string, "value": Schema.string])

    static let mlflowSchemas: KeyValuePairs<String, JSONLiteral> = [
        "MLflowError": Schema.object(
            required: ["error_code", "message"], ["error_code": Schema.string, "message": Schema.string]),
        "Experiment": Schema.object(
            required: ["experiment_id", "name"],
            [
                "experiment_id": Schema.string, "name": Schema.string, "artifact_location": Schema.string,
                "lifecycle_stage": Schema.string, "creation_time": Schema.int64, "last_update_time": Schema.int64,
                "tags": Schema.array(keyValueSchema),
            ]),
        "RunInfo": Schema.object(
            required: ["run_id", "experiment_id", "status"],
            [
                "run_id": Schema.string, "run_uuid": Schema.string, "experiment_id": Schema.string,
                "run_name": Schema.string, "user_id": Schema.string, "status": Schema.string,
                "start_time": Schema.int64, "end_time": Schema.int64, "artifact_uri": Schema.string,
                "lifecycle_stage": Schema.string,
            ]),
        "Metric": Schema.object(
            required: ["key", "value"],
            ["key": Schema.string, "value": Schema.metricValue, "timestamp": Schema.int64, "step": Schema.int64]),
        "Run": Schema.object(
            required: ["info"],
            [
                "info": Schema.ref("RunInfo"),
                "data": Schema.object([
                    "metrics": Schema.array(Schema.ref("Metric")), "params": Schema.array(keyValueSchema),
                    "tags": Schema.array(keyValueSchema),
                ]),
                "inputs": Schema.object(), "outputs": Schema.object(),
            ]),
        "LoggedModel": Schema.object(
            required: ["info"],
            [
                "info": Schema.object(
                    required: ["model_id", "experiment_id"],
                    ["model_id": Schema.string, "experiment_id": Schema.string, "name": Schema.string, "status": Schema.string]),
                "data": Schema.object(),
            ]),
        "RegisteredModel": Schema.object(
            required: ["name"],
            [
                "name": Schema.string, "creation_timestamp": Schema.int64, "last_updated_timestamp": Schema.int64,
                "description": Schema.string, "latest_versions": Schema.array(Schema.ref("ModelVersion")),
                "tags": Schema.array(keyValueSchema),
                "aliases": Schema.array(Schema.object(["alias": Schema.string, "version": Schema.string])),
            ]),
        "ModelVersion": Schema.object(
            required: ["name", "version"],
            [
                "name": Schema.string, "version": Schema.string, "creation_timestamp": Schema.int64,
                "last_updated_timestamp": Schema.int64, "current_stage": Schema.string, "description": Schema.string,
                "source": Schema.string, "run_id": Schema.string, "status": Schema.string,
                "tags": Schema.array(keyValueSchema), "aliases": Schema.array(Schema.string),
            ]),
        "FileInfo": Schema.object(
            required: ["path"], ["path": Schema.string, "is_dir": Schema.boolean, "file_size": Schema.int64]),
    ]
}
