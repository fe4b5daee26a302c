/// Requests reserved against each key's (and each chain budget's) hourly limit, shared by every
/// replica on the store; see `RateGrantPolicy`. A row per counter and window; windows more than
/// an hour old are deleted as new ones start.
enum M011_SharedRateCounts {
    static let migration = Migration(id: 11, name: "shared rate counts") { _ in
        [
            """
            CREATE TABLE rate_counts (
                counter_id TEXT NOT NULL,
                window_start BIGINT NOT NULL,
                used BIGINT NOT NULL,
                PRIMARY KEY (counter_id, window_start)
            )
            """
        ]
    }
}
