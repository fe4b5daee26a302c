/// The registration-event outbox: each event is written in the same transaction as the
/// registration it describes and delivered from here, so a 2xx always means the event will be
/// delivered, across crashes and receiver outages. `registration_event_deliveries` remembers
/// which webhook targets already accepted an event, so a retry never repeats a delivered one.
enum M005_RegistrationEvents {
    static let migration = Migration(id: 5, name: "registration event outbox") { _ in
        [
            """
            CREATE TABLE registration_events (
                event_id TEXT PRIMARY KEY,
                idempotency_key TEXT NOT NULL,
                event_type TEXT NOT NULL,
                model_name TEXT NOT NULL,
                version BIGINT NOT NULL,
                token_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                payload TEXT NOT NULL,
                state TEXT NOT NULL,
                attempts BIGINT NOT NULL,
                next_attempt_at BIGINT NOT NULL,
                lease_until BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                retry_from BIGINT NOT NULL,
                delivered_at BIGINT,
                last_error TEXT,
                last_status BIGINT
            )
            """,
            "CREATE UNIQUE INDEX registration_events_idempotency ON registration_events (idempotency_key)",
            "CREATE INDEX registration_events_due ON registration_events (state, next_attempt_at)",
            "CREATE INDEX registration_events_created ON registration_events (created_at)",
            """
            CREATE TABLE registration_event_deliveries (
                event_id TEXT NOT NULL REFERENCES registration_events (event_id),
                target TEXT NOT NULL,
                status BIGINT NOT NULL,
                delivered_at BIGINT NOT NULL,
                PRIMARY KEY (event_id, target)
            )
            """,
        ]
    }
}
