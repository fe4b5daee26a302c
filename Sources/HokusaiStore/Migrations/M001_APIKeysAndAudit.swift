/// API keys (hash only, never the key) and the key audit log.
enum M001_APIKeysAndAudit {
    static let migration = Migration(id: 1, name: "api keys and audit log") { _ in
        [
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                key_hash TEXT NOT NULL UNIQUE,
                key_head TEXT NOT NULL,
                key_tail TEXT NOT NULL,
                name TEXT NOT NULL,
                user_id TEXT NOT NULL,
                email TEXT,
                service_id TEXT NOT NULL,
                environment TEXT NOT NULL,
                scopes TEXT NOT NULL,
                rate_limit_per_hour BIGINT NOT NULL,
                billing_plan TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT,
                revoked_at BIGINT,
                last_used_at BIGINT,
                created_by TEXT,
                rotated_from TEXT,
                replaced_by TEXT
            )
            """,
            "CREATE INDEX api_keys_user_created ON api_keys (user_id, created_at)",
            "CREATE INDEX api_keys_created ON api_keys (created_at, id)",
            """
            CREATE TABLE audit_events (
                id TEXT PRIMARY KEY,
                occurred_at BIGINT NOT NULL,
                event TEXT NOT NULL,
                key_id TEXT,
                actor_key_id TEXT,
                user_id TEXT,
                code TEXT,
                client_ip TEXT,
                request_id TEXT,
                detail TEXT
            )
            """,
            "CREATE INDEX audit_events_occurred ON audit_events (occurred_at, id)",
            "CREATE INDEX audit_events_key ON audit_events (key_id, occurred_at)",
        ]
    }
}
