/// Indexes that let a run search start from what it filters on (see `RunSearchQuery`):
/// - `latest_metrics (key, is_nan, value, run_id)` replaces `(key, value)`: a metric filter reads
///   matching run ids from the index alone, without a table row per match.
/// - `runs (experiment_id, lifecycle_stage, start_time DESC, run_id)` replaces
///   `(experiment_id, start_time, run_id)`: an experiment's live runs, in the default order,
///   without reading each run's row to check its stage.
/// - SQLite only, `run_params` and `run_tags (key, value, run_id)`. PostgreSQL's B-tree entries are
///   limited to about 2.7 kB and values may be 6,000 (params) or 8,000 (tags) characters, so there
///   the filters stay hash semi-joins, which its planner makes of both EXISTS and IN.
enum M006_SearchIndexes {
    static let migration = Migration(id: 6, name: "run search indexes") { kind in
        var statements = [
            "DROP INDEX latest_metrics_key_value",
            "CREATE INDEX latest_metrics_key_nan_value ON latest_metrics (key, is_nan, value, run_id)",
            "DROP INDEX runs_experiment_start",
            "CREATE INDEX runs_experiment_stage_start ON runs (experiment_id, lifecycle_stage, start_time DESC, run_id)",
        ]
        if kind == .sqlite {
            statements += [
                "CREATE INDEX run_params_key_value ON run_params (key, value, run_id)",
                "CREATE INDEX run_tags_key_value ON run_tags (key, value, run_id)",
            ]
        }
        return statements
    }
}
