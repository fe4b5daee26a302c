import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO
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

    /// Milliseconds a statement waits for another process's lock (the CLI beside a running
    /// server) before failing.
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
        var opened = [SQLiteConnection]()
        do {
            let writer = try await openConnection(path: path, logger: log)
            opened.append(writer)
            try await enableWAL(on: writer)
            var readers = [SQLiteConnection]()
            for _ in 0..<max(1, readerCount) {
                let reader = try await openConnection(path: path, logger: log)
                opened.append(reader)
                readers.append(reader)
            }
            return SQLiteStoreDatabase(path: path, writer: writer, readers: readers)
        } catch {
            for connection in opened { try? await connection.close() }
            throw error
        }
    }

    /// WAL is a property of the file, set by the first process to open it.
    private static func enableWAL(on writer: SQLiteConnection) async throws {
        let sql = writer.sql(queryLogLevel: nil)
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
            } catch let error as SQLiteError where error.reason == .busy || error.reason == .locked {
                guard ContinuousClock.now + delay < deadline else { throw error }
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .milliseconds(100))
            }
        }
    }

    private static func openConnection(path: String, logger: Logger) async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: .singleton, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any()
        ).get()
        do {
            let sql = connection.sql(queryLogLevel: nil)
            // No waiting inside SQLite: a busy handler would block one of the few threads of the
            // pool every connection shares, and with it the very writer holding the lock. Waits
            // happen in `retryingWhileBusy`, which sleeps without holding a thread.
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
            try? await connection.close()
            throw error
        }
    }

    public func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let index = nextReader.withLock { value in
            value = (value + 1) % readers.count
            return value
        }
        let db = readers[index].sql(queryLogLevel: nil)
        return try await Self.retryingWhileBusy { try await body(db) }
    }

    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let db = writer.sql(queryLogLevel: nil)
        return try await writeLock.withLock {
            try await runTransaction(
                on: db,
                begin: {
                    try await Self.retryingWhileBusy { try await db.raw("BEGIN IMMEDIATE").run() }
                }, body)
        }
    }

    public func close() async {
        for connection in readers + [writer] {
            try? await connection.close()
        }
    }
}
