import HokusaiCore
import SQLKit

/// SQL for metric history and each run's latest value per key. NaN is stored as 0 with `is_nan`
/// set, since SQLite has no NaN.
public struct MetricRepository: Sendable {
    public init() {}

    /// Appends points to the history (an identical point is stored once) and moves each key's
    /// latest value forward when a point is later by step, then timestamp, then value.
    public func log(runId: String, _ points: [MetricPoint], on db: any SQLDatabase) async throws {
        guard !points.isEmpty else { return }
        let clamped = points.map(\.clamped)
        var latest = try await latestByKey(runId: runId, keys: Array(Set(clamped.map(\.key))), on: db)
        var changed = Set<String>()
        for point in clamped {
            if let current = latest[point.key], !point.isLater(than: current) { continue }
            latest[point.key] = point
            changed.insert(point.key)
        }
        // A batch is written in a few statements per table, not one per point: log-batch is the hot path.
        try await MetricRows.historyInsert.write(runId, clamped[...], on: db)
        let moved = changed.sorted().compactMap { latest[$0] }
        try await MetricRows.latestUpsert.write(runId, moved[...], on: db)
    }

    public func latest(runId: String, on db: any SQLDatabase) async throws -> [MetricPoint] {
        try await db.raw("SELECT * FROM latest_metrics WHERE run_id = \(bind: runId) ORDER BY key").all().map(Self.point)
    }

    func latestByKey(runId: String, keys: [String], on db: any SQLDatabase) async throws -> [String: MetricPoint] {
        let rows = try await db.select().column("*").from("latest_metrics")
            .where("run_id", .equal, runId).where("key", .in, keys)
            .all()
        var result: [String: MetricPoint] = [:]
        for row in rows {
            let point = try Self.point(row)
            result[point.key] = point
        }
        return result
    }

    /// One page of a metric's history, in step then timestamp order.
    public func history(runId: String, key: String, limit: Int, offset: Int, on db: any SQLDatabase) async throws -> [MetricPoint]
    {
        try await db.select().column("*").from("metric_history")
            .where("run_id", .equal, runId).where("key", .equal, key)
            .orderBy("step").orderBy("timestamp").orderBy("value")
            .limit(limit).offset(offset)
            .all().map(Self.point)
    }

    /// At most `maxResults` points of a metric's history, optionally within `steps`, picked evenly
    /// (`MetricSampling`) in step then timestamp order. The picking happens in SQL, by position in
    /// that order, so a history of 100,000 points sends the server only the points it keeps.
    public func sampledHistory(
        runId: String, key: String, steps: ClosedRange<Int64>?, maxResults: Int, on db: any SQLDatabase
    ) async throws -> [MetricPoint] {
        let inRange: SQLQueryString =
            steps.map { " AND step >= \(bind: $0.lowerBound) AND step <= \(bind: $0.upperBound)" } ?? ""
        let count =
            try await db.raw(
                "SELECT COUNT(*) AS n FROM metric_history WHERE run_id = \(bind: runId) AND key = \(bind: key)\(inRange)"
            ).first()?.decode(column: "n", as: Int.self) ?? 0
        let positions = MetricSampling.positions(count: count, maxResults: maxResults)
        guard !positions.isEmpty else { return [] }
        let rows = try await db.raw(
            """
            SELECT key, value, timestamp, step, is_nan FROM (
            SELECT key, value, timestamp, step, is_nan,
            ROW_NUMBER() OVER (ORDER BY step, timestamp, value) - 1 AS position
            FROM metric_history WHERE run_id = \(bind: runId) AND key = \(bind: key)\(inRange)
            ) AS ordered WHERE \(OneBindMembership("position", in: positions)) ORDER BY position
            """
        ).all()
        return try rows.map(Self.point)
    }

    static func point(_ row: any SQLRow) throws -> MetricPoint {
        let isNaN = try row.decode(column: "is_nan", as: Int.self) != 0
        return MetricPoint(
            key: try row.decode(column: "key", as: String.self),
            value: isNaN ? .nan : try row.decode(column: "value", as: Double.self),
            timestamp: try row.decode(column: "timestamp", as: Int64.self),
            step: try row.decode(column: "step", as: Int64.self))
    }
}
