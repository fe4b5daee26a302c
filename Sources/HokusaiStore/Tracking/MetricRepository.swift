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
        // A batch is written in one statement per table, not one per point: log-batch is the hot path.
        for start in stride(from: 0, to: clamped.count, by: Self.rowsPerStatement) {
            let chunk = clamped[start..<min(start + Self.rowsPerStatement, clamped.count)]
            try await db.execute(
                sql: Self.rows(
                    "INSERT INTO metric_history (run_id, key, step, timestamp, value, is_nan) VALUES ", runId, chunk,
                    " ON CONFLICT (run_id, key, step, timestamp, value, is_nan) DO NOTHING", on: db)
            ) { _ in }
        }
        let moved = changed.sorted().compactMap { latest[$0] }
        guard !moved.isEmpty else { return }
        try await db.execute(
            sql: Self.rows(
                "INSERT INTO latest_metrics (run_id, key, step, timestamp, value, is_nan) VALUES ", runId, moved[...],
                """
                 ON CONFLICT (run_id, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp,
                    value = excluded.value, is_nan = excluded.is_nan
                """, on: db)
        ) { _ in }
    }

    /// Rows per statement: a whole batch (at most 1,000 points) in one.
    static let rowsPerStatement = 1000

    /// `prefix` + one `VALUES` row per point + `suffix`, written as plain text with numbered
    /// placeholders: the run id is bound once as the first value and each distinct key once after
    /// it, whatever the number of rows; each value is bound, so it is stored bit for bit on every
    /// platform (SQLite parses a decimal literal in `long double`, which is a plain double on
    /// some, and could then be a unit in the last place off). Steps, timestamps
    /// and the NaN flag are integers, exact as literals. Built through SQLKit fragments, 1,000 rows
    /// were 6,000 expressions to serialize, a fifth of log-batch's time.
    static func rows(
        _ prefix: String, _ runId: String, _ points: ArraySlice<MetricPoint>, _ suffix: String, on db: any SQLDatabase
    ) -> NumberedSQL {
        let numbered = db.dialect.name == "postgresql" ? "$" : "?"
        var binds: [any Encodable & Sendable] = [runId]
        var keyPlaceholders: [String: String] = [:]
        var sql = prefix
        sql.reserveCapacity(prefix.count + suffix.count + points.count * 56)
        binds.reserveCapacity(points.count + 8)
        for (index, point) in points.enumerated() {
            let key: String
            if let known = keyPlaceholders[point.key] {
                key = known
            } else {
                binds.append(point.key)
                key = numbered + String(binds.count)
                keyPlaceholders[point.key] = key
            }
            let isNaN = point.value.isNaN
            binds.append(isNaN ? 0 : point.value)
            if index > 0 { sql += ", " }
            sql += "(" + numbered + "1, " + key + ", " + String(point.step) + ", " + String(point.timestamp) + ", "
            sql += numbered + String(binds.count) + ", " + (isNaN ? "1" : "0") + ")"
        }
        sql += suffix
        return NumberedSQL(sql: sql, binds: binds)
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

    static func point(_ row: any SQLRow) throws -> MetricPoint {
        let isNaN = try row.decode(column: "is_nan", as: Int.self) != 0
        return MetricPoint(
            key: try row.decode(column: "key", as: String.self),
            value: isNaN ? .nan : try row.decode(column: "value", as: Double.self),
            timestamp: try row.decode(column: "timestamp", as: Int64.self),
            step: try row.decode(column: "step", as: Int64.self))
    }
}

/// Statement text with its own numbered placeholders (`?1` on SQLite, `$1` on PostgreSQL) and the
/// values they stand for, in order. SQLKit's own binds are positional, one value per use.
struct NumberedSQL: SQLExpression {
    let sql: String
    let binds: [any Encodable & Sendable]

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(sql)
        serializer.binds += binds
    }
}
