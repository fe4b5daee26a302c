/// MLflow 3 logged models (with their tags and params), run outputs (which models a run
/// produced) and run inputs (the datasets a run used, with their context).
enum M003_LoggedModelsAndInputs {
    static let migration = Migration(id: 3, name: "logged models, run inputs and outputs") { _ in
        [
            """
            CREATE TABLE logged_models (
                model_id TEXT PRIMARY KEY,
                experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
                name TEXT NOT NULL,
                creation_timestamp_ms BIGINT NOT NULL,
                last_updated_timestamp_ms BIGINT NOT NULL,
                artifact_uri TEXT NOT NULL,
                status TEXT NOT NULL,
                model_type TEXT NOT NULL,
                source_run_id TEXT,
                lifecycle_stage TEXT NOT NULL,
                owner_user_id TEXT
            )
            """,
            "CREATE INDEX logged_models_experiment_created ON logged_models (experiment_id, creation_timestamp_ms)",
            "CREATE INDEX logged_models_name ON logged_models (name)",
            """
            CREATE TABLE logged_model_tags (
                model_id TEXT NOT NULL REFERENCES logged_models (model_id),
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (model_id, key)
            )
            """,
            """
            CREATE TABLE logged_model_params (
                model_id TEXT NOT NULL REFERENCES logged_models (model_id),
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (model_id, key)
            )
            """,
            """
            CREATE TABLE run_outputs (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                model_id TEXT NOT NULL,
                step BIGINT NOT NULL,
                PRIMARY KEY (run_id, model_id)
            )
            """,
            """
            CREATE TABLE datasets (
                dataset_id TEXT PRIMARY KEY,
                experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
                name TEXT NOT NULL,
                digest TEXT NOT NULL,
                source_type TEXT NOT NULL,
                source TEXT NOT NULL,
                schema_json TEXT,
                profile TEXT
            )
            """,
            "CREATE UNIQUE INDEX datasets_identity ON datasets (experiment_id, name, digest)",
            """
            CREATE TABLE run_inputs (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                dataset_id TEXT NOT NULL REFERENCES datasets (dataset_id),
                context TEXT,
                tags_json TEXT NOT NULL,
                PRIMARY KEY (run_id, dataset_id)
            )
            """,
            "CREATE INDEX run_inputs_dataset ON run_inputs (dataset_id)",
        ]
    }
}
