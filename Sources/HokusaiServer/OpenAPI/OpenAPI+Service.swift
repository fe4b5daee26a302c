import HokusaiCore

/// The probes, the key service, the audit log and the event outbox.
extension OpenAPIDocument {
    static let probeOperations: [APIOperation] = [
        APIOperation(
            method: .get, path: "/health", access: .open, tag: "probes", summary: "The process runs",
            replies: [.init(status: 200, description: "Healthy", schema: Schema.ref("Health"))]),
        APIOperation(
            method: .get, path: "/api/health", access: .open, tag: "probes",
            summary: "The process runs; a gateway adds its auth service's circuit breaker and cache",
            replies: [.init(status: 200, description: "Healthy or degraded", schema: Schema.ref("Health"))]),
        APIOperation(
            method: .get, path: "/api/health/mlflow", access: .open, tag: "probes",
            summary: "The tracking backend (this store, or the upstream MLflow server) answers",
            replies: trackingHealthReplies),
        APIOperation(
            method: .get, path: "/api/health/mlflow/detailed", access: .open, tag: "probes",
            summary: "The tracking backend's checks one by one", replies: trackingHealthReplies),
        APIOperation(
            method: .get, path: "/live", access: .open, tag: "probes", summary: "Liveness",
            replies: [
                .init(
                    status: 200, description: "Alive",
                    schema: Schema.object(
                        required: ["alive", "uptime_seconds"], ["alive": Schema.boolean, "uptime_seconds": Schema.integer]))
            ]),
        APIOperation(
            method: .get, path: "/ready", access: .open, tag: "probes",
            summary: "The store answers a real query and is fully migrated",
            replies: [
                .init(status: 200, description: "Ready", schema: Schema.ref("Readiness")),
                .init(status: 503, description: "Not ready: a critical check failed", schema: Schema.ref("Readiness")),
            ]),
        APIOperation(
            method: .get, path: "/version", access: .open, tag: "probes", summary: "Server and API version",
            replies: [
                .init(
                    status: 200, description: "Versions",
                    schema: Schema.object(
                        required: ["version", "api_version", "service"],
                        ["version": Schema.string, "api_version": Schema.string, "service": Schema.string]))
            ]),
        APIOperation(
            method: .get, path: "/metrics", access: .open, tag: "probes", summary: "Prometheus metrics",
            replies: [.init(status: 200, description: "Prometheus text format", mediaType: "text/plain")]),
        APIOperation(
            method: .get, path: "/openapi.json", access: .open, tag: "probes", summary: "This document",
            replies: [.init(status: 200, description: "OpenAPI 3.1", schema: Schema.object(required: ["openapi", "paths"]))]),
    ]

    static let trackingHealthReplies: [APIOperation.Reply] = [
        .init(status: 200, description: "The backend answers", schema: Schema.ref("TrackingHealth")),
        .init(status: 503, description: "The backend does not answer", schema: Schema.ref("TrackingHealth")),
    ]

    static let keyOperations: [APIOperation] = [
        APIOperation(
            method: .post, path: "/api/v1/keys/validate", access: .open, tag: "keys",
            summary: "Validate a key (given in the body or as the request's credential) for a scope and service",
            body: Schema.object([
                "api_key": Schema.string, "service_id": Schema.string, "client_ip": Schema.string,
                "required_scope": Schema.enumeration(Scope.allCases.map(\.rawValue)),
                "environment": Schema.enumeration(["production", "test", "development"]),
            ]),
            bodyRequired: false,
            replies: [
                .init(status: 200, description: "Valid", schema: Schema.ref("Validation")),
                .init(status: 401, description: "Not valid; `code` says why", schema: Schema.ref("Validation")),
                .init(status: 403, description: "Valid, but not for this scope or service", schema: Schema.ref("Validation")),
                .init(status: 429, description: "The key's hourly allowance is spent", schema: Schema.ref("Validation")),
            ]),
        APIOperation(
            method: .post, path: "/api/v1/keys", access: .key(.read), tag: "keys",
            summary: "Issue a key for the caller's user (admins: for anyone), never stronger than the caller",
            body: Schema.object([
                "name": Schema.string, "user_id": Schema.string, "email": Schema.string, "service_id": Schema.string,
                "environment": Schema.enumeration(["production", "test", "development"]),
                "scopes": Schema.array(Schema.enumeration(Scope.allCases.map(\.rawValue))),
                "expires_in_days": Schema.integer, "rate_limit_per_hour": Schema.integer, "billing_plan": Schema.string,
            ]),
            replies: [.init(status: 201, description: "The key, shown this once", schema: Schema.ref("IssuedKey"))]),
        APIOperation(
            method: .get, path: "/api/v1/keys", access: .key(.read), tag: "keys",
            summary: "List the caller's user's keys (admins: anyone's)",
            query: pageQuery + [
                .init(name: "user_id", schema: Schema.string), .init(name: "service_id", schema: Schema.string),
                .init(name: "environment", schema: Schema.enumeration(["production", "test", "development"])),
                .init(name: "active_only", schema: Schema.boolean),
            ],
            replies: [
                .init(
                    status: 200, description: "A page of keys",
                    schema: Schema.object(
                        required: ["keys"],
                        ["keys": Schema.array(Schema.ref("KeyInfo")), "next_page_token": Schema.nullable(Schema.string)]))
            ]),
        APIOperation(
            method: .get, path: "/api/v1/keys/{id}", access: .key(.read), tag: "keys", summary: "Show a key",
            replies: [.init(status: 200, description: "The key, masked", schema: Schema.ref("KeyInfo"))]),
        APIOperation(
            method: .delete, path: "/api/v1/keys/{id}", access: .key(.read), tag: "keys",
            summary: "Revoke a key and every key it created",
            replies: [
                .init(
                    status: 200, description: "Revoked",
                    schema: Schema.object(
                        required: ["message", "key_info", "revoked_with_it"],
                        [
                            "message": Schema.string, "key_info": Schema.ref("KeyInfo"),
                            "revoked_with_it": Schema.array(Schema.string),
                        ]))
            ]),
        APIOperation(
            method: .post, path: "/api/v1/keys/{id}/rotate", access: .key(.read), tag: "keys",
            summary: "Replace a key, the old one working for a grace period",
            body: Schema.object(["grace_seconds": Schema.integer]), bodyRequired: false,
            replies: [.init(status: 200, description: "The new key, shown this once", schema: Schema.ref("IssuedKey"))]),
        APIOperation(
            method: .get, path: "/api/v1/audit", access: .key(.admin), tag: "keys",
            summary: "Key events: issued, revoked, rotated, refused",
            query: pageQuery + [
                .init(name: "event", schema: Schema.string), .init(name: "key_id", schema: Schema.string),
                .init(name: "user_id", schema: Schema.string), .init(name: "code", schema: Schema.string),
                .init(name: "since", schema: Schema.integer, description: "epoch milliseconds"),
            ],
            replies: [
                .init(
                    status: 200, description: "A page of audit events",
                    schema: Schema.object(
                        required: ["events"],
                        ["events": Schema.array(Schema.ref("AuditEvent")), "next_page_token": Schema.nullable(Schema.string)]))
            ]),
    ]

    static let eventOperations: [APIOperation] = [
        APIOperation(
            method: .get, path: "/api/v1/events", access: .key(.admin), tag: "events",
            summary: "Registration events in the outbox",
            query: pageQuery + [.init(name: "state", schema: Schema.enumeration(["queued", "delivered", "dead"]))],
            replies: [
                .init(
                    status: 200, description: "A page of events",
                    schema: Schema.object(
                        required: ["events"],
                        ["events": Schema.array(Schema.ref("OutboxEvent")), "next_page_token": Schema.string]))
            ]),
        APIOperation(
            method: .get, path: "/api/v1/events/summary", access: .key(.read), tag: "events",
            summary: "Delivery counts and the latest failure",
            replies: [.init(status: 200, description: "Summary", schema: Schema.ref("EventSummary"))]),
        APIOperation(
            method: .post, path: "/api/v1/events/ping", access: .key(.write), tag: "events",
            summary: "Queue a test event to the configured webhooks",
            replies: [
                .init(status: 202, description: "Queued", schema: Schema.ref("OutboxEvent")),
                .init(status: 409, description: "No webhook is configured", schema: Schema.ref("HokusaiError")),
            ]),
        APIOperation(
            method: .get, path: "/api/v1/events/{id}", access: .key(.read), tag: "events",
            summary: "One event (admins see its payload; others only their own events)",
            replies: [.init(status: 200, description: "The event", schema: Schema.ref("OutboxEvent"))]),
        APIOperation(
            method: .post, path: "/api/v1/events/{id}/redeliver", access: .key(.admin), tag: "events",
            summary: "Queue a delivered or dead event again",
            replies: [.init(status: 200, description: "Queued again", schema: Schema.ref("OutboxEvent"))]),
    ]

    static let pageQuery: [APIOperation.QueryParameter] = [
        .init(name: "limit", schema: ["type": "integer", "minimum": 1, "maximum": 1000]),
        .init(name: "page_token", schema: Schema.string, description: "next_page_token of the previous page"),
    ]
}
