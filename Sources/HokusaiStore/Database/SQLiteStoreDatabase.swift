import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization

/// SQLite in WAL mode: one writer connection (writes queued in-process), several reader
/// connections used round-robin, which WAL lets run beside the writer.
public final class SQLiteStoreDatabase: Database {
    public let kind = DatabaseKind.sqlite
    public let displayName: String
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncLock()
    private let nextReader = Mutex(0)

    /// Milliseconds a connection waits for another process's write lock (the CLI beside a
    /// running server) before failing.
    public static let busyTimeoutMillis = 10_000

    private init(path: String, writer: SQLiteConnection, readers: [SQLiteConnection]) {
        self.displayName = "sqlite:\(path)"
        self.writer = writer
        self.readers = readers
    }

    /// Opens (creating if needed) the database file at `path` and its parent folder.
    public static func open(path: String, readerCount: Int = 4, logger: Logger) async throws -> SQLiteStoreDatabase {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let log = driverLogger(from: logger)
        let writer = try await openConnection(path: path, logger: log)
        // WAL is a property of the file: set once, by the writer, before readers open.
        try await writer.sql(queryLogLevel: nil).raw("PRAGMA journal_mode = WAL").run()
        var readers = [SQLiteConnection]()
        for _ in 0..<max(1, readerCount) {
            readers.append(try await openConnection(path: path, logger: log))
        }
        return SQLiteStoreDatabase(path: path, writer: writer, readers: readers)
    }

    private static func openConnection(path: String, logger: Logger) async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: .singleton, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any()
        ).get()
        let sql = connection.sql(queryLogLevel: nil)
        try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(busyTimeoutMillis))").run()
        try await sql.raw("PRAGMA foreign_keys = ON").run()
        try await sql.raw("PRAGMA synchronous = NORMAL").run()
        return connection
    }

    public func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let index = nextReader.withLock { value in
            value = (value + 1) % readers.count
            return value
        }
        return try await body(readers[index].sql(queryLogLevel: nil))
    }

    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let db = writer.sql(queryLogLevel: nil)
        return try await writeLock.withLock {
            try await db.raw("BEGIN IMMEDIATE").run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                return result
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    public func close() async {
        for connection in readers + [writer] {
            try? await connection.close()
        }
    }
}
