import HokusaiCore

/// MLflow tracking: experiments (with the Default experiment "0"), runs, params, tags, the full
/// metric history and each run's latest value per metric.
///
/// Values that may be long (params up to 6000 characters, tags up to 8000) are not indexed:
/// PostgreSQL refuses btree entries past about 2700 bytes.
enum M002_Tracking {
    static let migration = Migration(id: 2, name: "mlflow tracking") { _ in
        let now = Timestamp.nowMillis()
        return [
            "CREATE TABLE id_counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
            "INSERT INTO id_counters (name, value) VALUES ('experiment', 0)",
            """
            CREATE TABLE experiments (
                experiment_id BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                artifact_location TEXT NOT NULL,
                lifecycle_stage TEXT NOT NULL,
                creation_time BIGINT NOT NULL,
                last_update_time BIGINT NOT NULL,
                owner_user_id TEXT
            )
            """,
            "CREATE UNIQUE INDEX experiments_name ON experiments (name)",
            """
            INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
            VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', \(now), \(now))
            """,
            """
            CREATE TABLE experiment_tags (
                experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (experiment_id, key)
            )
            """,
            """
            CREATE TABLE runs (
                run_id TEXT PRIMARY KEY,
                experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
                run_name TEXT NOT NULL,
                user_id TEXT NOT NULL,
                status TEXT NOT NULL,
                start_time BIGINT,
                end_time BIGINT,
                lifecycle_stage TEXT NOT NULL,
                artifact_uri TEXT NOT NULL,
                owner_user_id TEXT,
                deleted_time BIGINT
            )
            """,
            "CREATE INDEX runs_experiment_start ON runs (experiment_id, start_time, run_id)",
            """
            CREATE TABLE run_params (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (run_id, key)
            )
            """,
            """
            CREATE TABLE run_tags (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (run_id, key)
            )
            """,
            """
            CREATE TABLE metric_history (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                key TEXT NOT NULL,
                step BIGINT NOT NULL,
                timestamp BIGINT NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                is_nan INTEGER NOT NULL,
                PRIMARY KEY (run_id, key, step, timestamp, value, is_nan)
            )
            """,
            """
            CREATE TABLE latest_metrics (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                key TEXT NOT NULL,
                step BIGINT NOT NULL,
                timestamp BIGINT NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                is_nan INTEGER NOT NULL,
                PRIMARY KEY (run_id, key)
            )
            """,
            "CREATE INDEX latest_metrics_key_value ON latest_metrics (key, value)",
        ]
    }
}
