import HokusaiCore
import SQLKit
import Synchronization

/// Writes metric points as multi-row `INSERT`s whose text depends only on the number of rows:
/// every value is bound (so it is stored bit for bit on every platform; SQLite parses a decimal
/// literal in `long double`, a plain double on some), the run id once as the first value, and a
/// batch is cut into chunks of 512, 256, … 1 rows. The few texts that result are prepared once per
/// SQLite connection and kept (`SQLiteHandle`), where a statement with the values written into it
/// was parsed and planned afresh for every batch: a fifth of log-batch's time, with building it.
struct MetricRows: Sendable {
    let prefix: String
    let suffix: String

    static let historyInsert = MetricRows(
        prefix: "INSERT INTO metric_history (run_id, key, step, timestamp, value, is_nan) VALUES ",
        suffix: " ON CONFLICT (run_id, key, step, timestamp, value, is_nan) DO NOTHING")

    static let latestUpsert = MetricRows(
        prefix: "INSERT INTO latest_metrics (run_id, key, step, timestamp, value, is_nan) VALUES ",
        suffix: """
             ON CONFLICT (run_id, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp,
                value = excluded.value, is_nan = excluded.is_nan
            """)

    /// Chunk sizes, largest first: a batch of 1,000 points is six statements, one point is one.
    static let chunkSizes = [512, 256, 128, 64, 32, 16, 8, 4, 2, 1]

    /// Binds per row after the run id: key, step, timestamp, value, NaN flag.
    static let bindsPerRow = 5

    func write(_ runId: String, _ points: ArraySlice<MetricPoint>, on db: any SQLDatabase) async throws {
        var rest = points
        let postgres = db.dialect.name == "postgresql"
        for size in Self.chunkSizes where rest.count >= size {
            while rest.count >= size {
                let chunk = rest.prefix(size)
                rest = rest.dropFirst(size)
                let sql = Self.texts.withLock { texts in
                    let key = TextKey(prefix: prefix, rows: size, postgres: postgres)
                    if let known = texts[key] { return known }
                    let made = text(rows: size, postgres: postgres)
                    texts[key] = made
                    return made
                }
                try await db.execute(sql: NumberedSQL(sql: sql, binds: Self.binds(runId, chunk))) { _ in }
            }
        }
    }

    /// `prefix` + `rows` placeholder rows + `suffix`. SQLite numbers a bare `?` one past the highest
    /// number so far, so `(?1, ?, ?, ?, ?, ?)` rows reuse the run id; PostgreSQL wants every number.
    func text(rows: Int, postgres: Bool) -> String {
        var sql = prefix
        sql.reserveCapacity(prefix.utf8.count + suffix.utf8.count + rows * 40)
        for row in 0..<rows {
            if row > 0 { sql += ", " }
            if postgres {
                let first = 2 + row * Self.bindsPerRow
                sql += "($1"
                for number in first..<(first + Self.bindsPerRow) { sql += ", $" + String(number) }
                sql += ")"
            } else {
                sql += "(?1, ?, ?, ?, ?, ?)"
            }
        }
        return sql + suffix
    }

    static func binds(_ runId: String, _ points: ArraySlice<MetricPoint>) -> [any Encodable & Sendable] {
        var binds: [any Encodable & Sendable] = [runId]
        binds.reserveCapacity(1 + points.count * bindsPerRow)
        for point in points {
            // NaN is stored as 0 with the flag set: SQLite has no NaN.
            let isNaN = point.value.isNaN
            binds.append(point.key)
            binds.append(point.step)
            binds.append(point.timestamp)
            binds.append(isNaN ? 0.0 : point.value)
            binds.append(isNaN ? 1 : 0)
        }
        return binds
    }

    private struct TextKey: Hashable {
        let prefix: String
        let rows: Int
        let postgres: Bool
    }

    /// Statement texts already made, per table, size and dialect: at most a few dozen.
    private static let texts = Mutex([TextKey: String]())
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
