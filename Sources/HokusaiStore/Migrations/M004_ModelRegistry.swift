/// The model registry: registered models with their tags and aliases, and model versions with
/// theirs. `next_version` keeps version numbers from being reused after a delete. Children follow
/// a rename and a delete of their model through ON UPDATE / ON DELETE CASCADE.
enum M004_ModelRegistry {
    static let migration = Migration(id: 4, name: "model registry") { _ in
        [
            """
            CREATE TABLE registered_models (
                name TEXT PRIMARY KEY,
                creation_timestamp BIGINT NOT NULL,
                last_updated_timestamp BIGINT NOT NULL,
                description TEXT NOT NULL,
                owner_user_id TEXT,
                next_version BIGINT NOT NULL
            )
            """,
            "CREATE INDEX registered_models_updated ON registered_models (last_updated_timestamp)",
            """
            CREATE TABLE registered_model_tags (
                name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (name, key)
            )
            """,
            """
            CREATE TABLE model_versions (
                name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
                version BIGINT NOT NULL,
                creation_timestamp BIGINT NOT NULL,
                last_updated_timestamp BIGINT NOT NULL,
                description TEXT NOT NULL,
                user_id TEXT NOT NULL,
                current_stage TEXT NOT NULL,
                source TEXT NOT NULL,
                run_id TEXT,
                run_link TEXT,
                model_id TEXT,
                storage_location TEXT NOT NULL,
                PRIMARY KEY (name, version)
            )
            """,
            "CREATE INDEX model_versions_run ON model_versions (run_id)",
            "CREATE INDEX model_versions_updated ON model_versions (last_updated_timestamp)",
            """
            CREATE TABLE model_version_tags (
                name TEXT NOT NULL,
                version BIGINT NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (name, version, key),
                FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
            )
            """,
            """
            CREATE TABLE registered_model_aliases (
                name TEXT NOT NULL,
                alias TEXT NOT NULL,
                version BIGINT NOT NULL,
                PRIMARY KEY (name, alias),
                FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
            )
            """,
        ]
    }
}
