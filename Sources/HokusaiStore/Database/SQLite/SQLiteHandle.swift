import NIOCore
import SQLiteNIO
import VaporCSQLite

/// A SQLite error with SQLite's own code and message (`SQLITE_BUSY` is 5, `SQLITE_LOCKED` 6).
public struct SQLiteStatementError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String

    /// Another connection holds the lock: worth waiting and trying again.
    public var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }
    public var description: String { "SQLite error \(code): \(message)" }
}

/// The rows of one statement: column names once, values row by row.
struct SQLiteRows: Sendable {
    var columns: SQLiteColumns
    var rows: [[SQLiteData]] = []
}

/// A statement's column names, shared by its rows.
final class SQLiteColumns: Sendable {
    let names: [String]
    init(_ names: [String]) { self.names = names }

    /// Linear: rows have a dozen columns at most, and comparing a few short strings beats hashing one.
    func index(of name: String) -> Int? { names.firstIndex(of: name) }
}

/// One SQLite connection, used by one thread at a time (`SQLiteConnection`'s lock). Statements are prepared once and
/// kept (SQLite re-prepares one by itself when the schema changes), so a request's statements are
/// not parsed and planned again on every call.
final class SQLiteHandle: @unchecked Sendable {
    private var db: OpaquePointer?
    private var statements: [String: (statement: OpaquePointer, columns: SQLiteColumns)] = [:]
    private var cachedTextBytes = 0
    /// Statements whose text varies (an `IN` list per page size) would pile up; past this many,
    /// or this much text (a prepared statement's program grows with its text), the cache starts again.
    static let cachedStatementLimit = 256
    static let cachedTextBudget = 512 * 1024
    /// Longer statements are prepared for one use. The long ones that recur are a metric batch's
    /// chunks (`MetricRows`, up to 10 kB); lists of ids are one parameter (`OneBindMembership`).
    static let cachedStatementLength = 32 * 1024

    init(path: String) throws {
        var handle: OpaquePointer?
        // NOMUTEX: `SQLiteConnection` lets one thread at a time in, so SQLite's own locking would be waste.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite_nio_sqlite3_close(handle)
            throw SQLiteStatementError(code: code, message: "cannot open \(path): \(message)")
        }
        db = handle
    }

    /// Leaves checkpoints to `checkpointer`, told the log's size after each commit. Replaces
    /// SQLite's automatic checkpoint on this connection. The checkpointer must outlive it.
    func handCheckpoints(to checkpointer: SQLiteCheckpointer) {
        let context = Unmanaged.passUnretained(checkpointer).toOpaque()
        sqlite_nio_sqlite3_wal_hook(
            db,
            { context, _, _, pages in
                if let context {
                    Unmanaged<SQLiteCheckpointer>.fromOpaque(context).takeUnretainedValue().logGrew(toPages: pages)
                }
                return SQLITE_OK
            }, context)
    }

    func close() {
        for (statement, _) in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements.removeAll()
        cachedTextBytes = 0
        sqlite_nio_sqlite3_close(db)
        db = nil
    }

    /// How many times the kept statement for `sql` was parsed and planned again since it was
    /// prepared (nil when it is not kept): what the tests watch to keep statements prepared.
    func timesReprepared(_ sql: String) -> Int32? {
        statements[sql].map { sqlite_nio_sqlite3_stmt_status($0.statement, SQLITE_STMTSTATUS_REPREPARE, 0) }
    }

    /// Runs one statement with `binds` and returns every row it produced.
    func query(_ sql: String, _ binds: [SQLiteData]) throws -> SQLiteRows {
        guard db != nil else { throw SQLiteStatementError(code: SQLITE_MISUSE, message: "the connection is closed") }
        let cache = sql.utf8.count <= Self.cachedStatementLength
        let (statement, columns) = try prepared(sql, cache: cache)
        // Not `sqlite3_clear_bindings` after a use: it marks the statement expired whenever the
        // planner noted that a bound value might matter to the plan (SQLite 3.54 notes that for
        // plain `column = ?` terms), so the next use parsed and planned it again, a tenth of a
        // `get_run`. Every parameter is bound afresh on every use instead, which this checks.
        defer {
            if cache {
                sqlite_nio_sqlite3_reset(statement)
            } else {
                sqlite_nio_sqlite3_finalize(statement)
            }
        }
        guard binds.count == Int(sqlite_nio_sqlite3_bind_parameter_count(statement)) else {
            throw SQLiteStatementError(
                code: SQLITE_RANGE,
                message: "\(binds.count) values for \(sqlite_nio_sqlite3_bind_parameter_count(statement)) parameters")
        }
        for (index, value) in binds.enumerated() {
            try check(bind(value, at: Int32(index + 1), to: statement))
        }
        var result = SQLiteRows(columns: columns)
        while true {
            let code = sqlite_nio_sqlite3_step(statement)
            if code == SQLITE_DONE { return result }
            guard code == SQLITE_ROW else { throw error(code) }
            var row: [SQLiteData] = []
            row.reserveCapacity(columns.names.count)
            for column in 0..<Int32(columns.names.count) {
                row.append(value(of: statement, at: column))
            }
            result.rows.append(row)
        }
    }

    private func prepared(_ sql: String, cache: Bool) throws -> (OpaquePointer, SQLiteColumns) {
        if cache, let cached = statements[sql] { return cached }
        if cache, statements.count >= Self.cachedStatementLimit || cachedTextBytes + sql.utf8.count > Self.cachedTextBudget {
            for (statement, _) in statements.values { sqlite_nio_sqlite3_finalize(statement) }
            statements.removeAll()
            cachedTextBytes = 0
        }
        var statement: OpaquePointer?
        let flags = cache ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let code = sqlite_nio_sqlite3_prepare_v3(db, sql, -1, flags, &statement, nil)
        guard code == SQLITE_OK, let statement else { throw error(code) }
        let count = sqlite_nio_sqlite3_column_count(statement)
        let columns = SQLiteColumns(
            (0..<count).map { sqlite_nio_sqlite3_column_name(statement, $0).map { String(cString: $0) } ?? "" })
        if cache {
            statements[sql] = (statement, columns)
            cachedTextBytes += sql.utf8.count
        }
        return (statement, columns)
    }

    private func bind(_ value: SQLiteData, at index: Int32, to statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let integer): return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(integer))
        case .float(let double): return sqlite_nio_sqlite3_bind_double(statement, index, double)
        case .null: return sqlite_nio_sqlite3_bind_null(statement, index)
        case .text(let text):
            var text = text
            return text.withUTF8 {
                sqlite_nio_sqlite3_bind_text64(statement, index, $0.baseAddress, UInt64($0.count), transient, UInt8(SQLITE_UTF8))
            }
        case .blob(let buffer):
            return buffer.withUnsafeReadableBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient)
            }
        }
    }

    private func value(of statement: OpaquePointer, at column: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(SQLiteInt64(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            guard let bytes = sqlite_nio_sqlite3_column_text(statement, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default: return .null
        }
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw error(code) }
    }

    private func error(_ code: Int32) -> SQLiteStatementError {
        SQLiteStatementError(code: code, message: db.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "closed")
    }
}

/// SQLite copies a bound value before the bind call returns (the value's memory is Swift's).
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
