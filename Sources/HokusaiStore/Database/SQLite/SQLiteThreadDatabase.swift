import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// A connection with its own thread (`SQLiteThread`), for the store to use through SQLKit.
final class SQLiteThreadConnection: Sendable {
    let thread: SQLiteThread
    private let handle: SQLiteHandle

    static func open(path: String, name: String) async throws -> SQLiteThreadConnection {
        let thread = SQLiteThread(name: name)
        do {
            let handle = try await withTaskExecutorPreference(thread) { try SQLiteHandle(path: path) }
            return SQLiteThreadConnection(thread: thread, handle: handle)
        } catch {
            thread.stop()
            throw error
        }
    }

    private init(thread: SQLiteThread, handle: SQLiteHandle) {
        self.thread = thread
        self.handle = handle
    }

    /// Runs `body` on the connection's thread: inline when already there (inside `read` or
    /// `transaction`), else with a hop there and back.
    func run<R: Sendable>(_ body: @Sendable (SQLiteHandle) throws -> R) async throws -> R {
        if thread.isCurrent { return try body(handle) }
        return try await withTaskExecutorPreference(thread) { try body(handle) }
    }

    func close() async {
        _ = try? await run { $0.close() }
        thread.stop()
    }

    func sql(logger: Logger) -> any SQLDatabase {
        SQLiteThreadDatabase(connection: self, logger: logger)
    }
}

/// SQLKit's view of a `SQLiteThreadConnection`: statements serialized by SQLKit with SQLite's
/// dialect, values encoded by SQLiteKit's encoder, run on the connection's thread.
struct SQLiteThreadDatabase: SQLDatabase {
    let connection: SQLiteThreadConnection
    let logger: Logger

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await self.execute(sql: query, onRow) }
        return promise.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, rawBinds) = serialize(query)
        let binds = try rawBinds.map(Self.data)
        let result = try await connection.run { try $0.query(sql, binds) }
        for values in result.rows {
            onRow(SQLiteResultRow(columns: result.columns, values: values))
        }
    }

    /// A bound value as SQLite data: the common types directly (a batch binds a thousand doubles),
    /// the rest through SQLiteKit's encoder, whose rules (nil as NULL, Bool as integer, …) hold.
    static func data(_ value: any Encodable & Sendable) throws -> SQLiteData {
        switch value {
        case let text as String: .text(text)
        case let double as Double: .float(double)
        case let integer as Int64: .integer(SQLiteInt64(integer))
        case let integer as Int: .integer(SQLiteInt64(integer))
        default: try SQLiteDataEncoder().encode(value)
        }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }
}
