/// On SQLite, `metric_history` becomes a `WITHOUT ROWID` table. Its primary key is the whole row,
/// so as an ordinary table every point was stored twice, once in the table's rowid B-tree and once
/// in the key's index, and a batch of 1,000 points paid for both inserts and both sets of pages in
/// the write-ahead log. Now the key's B-tree is the table. PostgreSQL keeps its heap and index.
enum M007_MetricHistoryWithoutRowid {
    static let migration = Migration(id: 7, name: "metric history without rowid") { kind in
        guard kind == .sqlite else { return [] }
        return [
            """
            CREATE TABLE metric_history_clustered (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                key TEXT NOT NULL,
                step BIGINT NOT NULL,
                timestamp BIGINT NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                is_nan INTEGER NOT NULL,
                PRIMARY KEY (run_id, key, step, timestamp, value, is_nan)
            ) WITHOUT ROWID
            """,
            "INSERT INTO metric_history_clustered SELECT run_id, key, step, timestamp, value, is_nan FROM metric_history",
            "DROP TABLE metric_history",
            "ALTER TABLE metric_history_clustered RENAME TO metric_history",
        ]
    }
}
