import Foundation
import Logging
import SQLKit
import Synchronization

/// SQLite in WAL mode: one writer connection (writes queued in-process), several reader
/// connections used round-robin, which WAL lets run beside the writer. Each connection has a
/// thread of its own, and a `read` or `transaction` body runs on it whole (see `SQLiteThread`).
public final class SQLiteStoreDatabase: Database {
    public let kind = DatabaseKind.sqlite
    public let displayName: String
    private let writer: SQLiteThreadConnection
    private let readers: [SQLiteThreadConnection]
    private let logger: Logger
    private let writeLock = AsyncLock()
    private let nextReader = Mutex(0)

    /// Milliseconds a statement waits for another process's lock (the CLI beside a running
    /// server) before failing.
    public static let busyTimeoutMillis = 10_000

    private init(path: String, writer: SQLiteThreadConnection, readers: [SQLiteThreadConnection], logger: Logger) {
        self.displayName = "sqlite:\(path)"
        self.writer = writer
        self.readers = readers
        self.logger = logger
    }

    /// Opens (creating if needed) the database file at `path` and its parent folder.
    public static func open(path: String, readerCount: Int = 4, logger: Logger) async throws -> SQLiteStoreDatabase {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let log = driverLogger(from: logger)
        var opened = [SQLiteThreadConnection]()
        do {
            let writer = try await openConnection(path: path, name: "sqlite-writer", logger: log)
            opened.append(writer)
            try await enableWAL(on: writer.sql(logger: log))
            var readers = [SQLiteThreadConnection]()
            for index in 0..<max(1, readerCount) {
                let reader = try await openConnection(path: path, name: "sqlite-reader-\(index)", logger: log)
                opened.append(reader)
                readers.append(reader)
            }
            return SQLiteStoreDatabase(path: path, writer: writer, readers: readers, logger: log)
        } catch {
            for connection in opened { await connection.close() }
            throw error
        }
    }

    /// WAL is a property of the file, set by the first process to open it.
    private static func enableWAL(on sql: any SQLDatabase) async throws {
        try await retryingWhileBusy {
            let mode = try await sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
            if mode?.lowercased() != "wal" {
                try await sql.raw("PRAGMA journal_mode = WAL").run()
            }
        }
    }

    /// Runs `body` again while SQLite reports the file busy, for up to `busyTimeoutMillis`.
    static func retryingWhileBusy<R>(_ body: () async throws -> R) async throws -> R {
        let deadline = ContinuousClock.now + .milliseconds(busyTimeoutMillis)
        var delay = Duration.milliseconds(2)
        while true {
            do {
                return try await body()
            } catch let error as SQLiteStatementError where error.isBusy {
                guard ContinuousClock.now + delay < deadline else { throw error }
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .milliseconds(100))
            }
        }
    }

    private static func openConnection(path: String, name: String, logger: Logger) async throws -> SQLiteThreadConnection {
        let connection = try await SQLiteThreadConnection.open(path: path, name: name)
        do {
            let sql = connection.sql(logger: logger)
            // No waiting inside SQLite: waits happen in `retryingWhileBusy`, which sleeps without
            // holding the connection's thread, so other work queued there (reads on a reader's
            // thread) goes on meanwhile.
            try await sql.raw("PRAGMA busy_timeout = 0").run()
            // A new connection can find the file busy while another process recovers or
            // checkpoints the WAL (several replicas starting at once); wait that out too.
            try await retryingWhileBusy {
                try await sql.raw("PRAGMA foreign_keys = ON").run()
                try await sql.raw("PRAGMA synchronous = NORMAL").run()
                // MLflow's LIKE is case-sensitive (ILIKE is not), as it is on PostgreSQL.
                try await sql.raw("PRAGMA case_sensitive_like = ON").run()
            }
            return connection
        } catch {
            await connection.close()
            throw error
        }
    }

    public func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let index = nextReader.withLock { value in
            value = (value + 1) % readers.count
            return value
        }
        let reader = readers[index]
        let db = reader.sql(logger: logger)
        return try await withTaskExecutorPreference(reader.thread) {
            try await Self.retryingWhileBusy { try await body(db) }
        }
    }

    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let db = writer.sql(logger: logger)
        return try await writeLock.withLock {
            try await withTaskExecutorPreference(writer.thread) {
                try await runTransaction(
                    on: db,
                    begin: {
                        try await Self.retryingWhileBusy { try await db.raw("BEGIN IMMEDIATE").run() }
                    }, body)
            }
        }
    }

    public func close() async {
        for connection in readers + [writer] {
            await connection.close()
        }
    }
}
