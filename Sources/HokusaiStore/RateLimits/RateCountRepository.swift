import SQLKit

/// The shared counters behind `RateGrantPolicy`.
public struct RateCountRepository: Sendable {
    public init() {}

    /// Adds `reserved` to the counter of `counterId` in the window starting at `windowStart`
    /// (epoch seconds), creating it, and returns its value after the addition. One statement, so
    /// concurrent reservations from several replicas are serialised by the row's lock.
    public func reserve(counterId: String, windowStart: Int64, reserved: Int, on db: any SQLDatabase) async throws -> Int64 {
        let row = try await db.raw(
            """
            INSERT INTO rate_counts (counter_id, window_start, used) VALUES (\(bind: counterId), \(bind: windowStart), \(bind: Int64(reserved)))
            ON CONFLICT (counter_id, window_start) DO UPDATE SET used = rate_counts.used + excluded.used
            RETURNING used
            """
        ).first()
        guard let used = try row?.decode(column: "used", as: Int64.self) else {
            throw StoreError.corruptRow(table: "rate_counts", detail: "no value returned for \(counterId)")
        }
        return used
    }

    /// Drops the counters of windows that ended before `windowStart`.
    public func deleteWindows(before windowStart: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM rate_counts WHERE window_start < \(bind: windowStart)").run()
    }
}
