import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization

/// One SQLite connection, used by one thread at a time. Statements run on the caller's thread:
/// an indexed read or a small commit takes tens of microseconds, less than handing it to another
/// thread and back (two wake-ups, about 0.1 ms on two cores). The one slow thing a commit could
/// do, copying the write-ahead log into the database file with its fsyncs, is left to
/// `SQLiteCheckpointer`'s thread.
final class SQLiteConnection: Sendable {
    private let handle: SQLiteHandle
    private let lock = Mutex(())

    init(path: String) throws {
        handle = try SQLiteHandle(path: path)
    }

    /// Runs `body` with the connection, waiting while another thread uses it.
    func run<R, E: Error>(_ body: (SQLiteHandle) throws(E) -> R) throws(E) -> R {
        try lock.withLock { _ throws(E) in try body(handle) }
    }

    /// Runs `body` with the connection if no other thread is using it; nil if one is.
    func runIfFree<R>(_ body: (SQLiteHandle) throws -> R) throws -> R? {
        try lock.withLockIfAvailable { _ in try body(handle) }
    }

    func close() {
        run { $0.close() }
    }
}

/// Where a store's statements go: the writer connection, or any free one of the readers.
enum SQLiteTarget: Sendable {
    case writer(SQLiteConnection)
    case readers(SQLiteReaders)

    func run<R>(_ body: (SQLiteHandle) throws -> R) throws -> R {
        switch self {
        case .writer(let connection): try connection.run(body)
        case .readers(let readers): try readers.run(body)
        }
    }
}

/// Reader connections, which WAL lets run beside the writer and each other. Reads are not
/// transactions, so each statement may take whichever reader is free: a long search page on one
/// never holds up a short read that picked the same one.
final class SQLiteReaders: Sendable {
    let connections: [SQLiteConnection]
    private let next = Atomic(0)

    init(_ connections: [SQLiteConnection]) {
        precondition(!connections.isEmpty, "a store needs a reader")
        self.connections = connections
    }

    func run<R>(_ body: (SQLiteHandle) throws -> R) throws -> R {
        let start = next.wrappingAdd(1, ordering: .relaxed).oldValue
        for offset in 0..<connections.count {
            let connection = connections[(start &+ offset) % connections.count]
            if let result = try connection.runIfFree(body) { return result }
        }
        // Every reader is busy (more threads reading than readers): wait for one.
        return try connections[start % connections.count].run(body)
    }
}

/// SQLKit's view of a store's connections: statements serialized by SQLKit with SQLite's dialect,
/// values encoded by SQLiteKit's encoder (the common types directly).
struct SQLiteConnectionDatabase: SQLDatabase {
    let target: SQLiteTarget
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
        let result = try target.run { try $0.query(sql, binds) }
        for values in result.rows {
            onRow(SQLiteResultRow(columns: result.columns, values: values))
        }
    }

    /// A bound value as SQLite data: the common types directly (a batch of 1,000 metrics binds
    /// 5,000 values), the rest through SQLiteKit's encoder, whose rules (nil as NULL, Bool as
    /// integer, …) hold.
    static func data(_ value: any Encodable & Sendable) throws -> SQLiteData {
        try data(opened: value)
    }

    /// The value's type opened: comparing it with each common type is comparing two metadata
    /// pointers. `as?` casts from the existential went through the runtime's cast machinery for
    /// every type tried (about 6% of a batch's time, most of it in casts that fail).
    private static func data<Value: Encodable & Sendable>(opened value: Value) throws -> SQLiteData {
        // unsafeBitCast only where the types are the same type, so the layouts are too.
        if Value.self == String.self { return .text(unsafeBitCast(value, to: String.self)) }
        if Value.self == Double.self { return .float(unsafeBitCast(value, to: Double.self)) }
        if Value.self == Int64.self { return .integer(SQLiteInt64(unsafeBitCast(value, to: Int64.self))) }
        if Value.self == Int.self { return .integer(SQLiteInt64(unsafeBitCast(value, to: Int.self))) }
        return try SQLiteDataEncoder().encode(value)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }
}
