import Foundation
import Logging
import SQLKit

/// SQLite in WAL mode: one writer connection (writes queued in-process), several reader
/// connections, which WAL lets run beside the writer, and checkpoints off the request path
/// (`SQLiteCheckpointer`). Statements run on the calling thread (see `SQLiteConnection`).
public final class SQLiteStoreDatabase: Database {
    public let kind = DatabaseKind.sqlite
    public let displayName: String
    private let writer: SQLiteConnection
    private let readers: SQLiteReaders
    /// Kept alive here: the writer's WAL hook points at it without retaining it.
    private let checkpointer: SQLiteCheckpointer
    private let logger: Logger
    private let writeLock: AsyncLock

    /// Milliseconds a statement waits for another process's lock (the CLI beside a running
    /// server) before failing.
    public static let busyTimeoutMillis = 10_000

    private init(
        path: String, writer: SQLiteConnection, readers: SQLiteReaders, checkpointer: SQLiteCheckpointer,
        writeLock: AsyncLock, logger: Logger
    ) {
        self.displayName = "sqlite:\(path)"
        self.writer = writer
        self.readers = readers
        self.checkpointer = checkpointer
        self.writeLock = writeLock
        self.logger = logger
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
            try await enableWAL(on: SQLiteConnectionDatabase(target: .writer(writer), logger: log))
            var readers = [SQLiteConnection]()
            for _ in 0..<max(1, readerCount) {
                let reader = try await openConnection(path: path, logger: log)
                opened.append(reader)
                readers.append(reader)
            }
            let writeLock = AsyncLock()
            let checkpointer = SQLiteCheckpointer(writer: writer, writeLock: writeLock)
            writer.run { $0.handCheckpoints(to: checkpointer) }
            return SQLiteStoreDatabase(
                path: path, writer: writer, readers: SQLiteReaders(readers), checkpointer: checkpointer,
                writeLock: writeLock, logger: log)
        } catch {
            for connection in opened { connection.close() }
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

    private static func openConnection(path: String, logger: Logger) async throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: path)
        do {
            let sql = SQLiteConnectionDatabase(target: .writer(connection), logger: logger)
            // No waiting inside SQLite: waits happen in `retryingWhileBusy`, which sleeps without
            // holding a thread.
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
            connection.close()
            throw error
        }
    }

    public func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let db = SQLiteConnectionDatabase(target: .readers(readers), logger: logger)
        return try await Self.retryingWhileBusy { try await body(db) }
    }

    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let db = SQLiteConnectionDatabase(target: .writer(writer), logger: logger)
        return try await writeLock.withLock {
            try await runTransaction(
                on: db,
                begin: {
                    try await Self.retryingWhileBusy { try await db.raw("BEGIN IMMEDIATE").run() }
                }, body)
        }
    }

    public func close() async {
        for connection in readers.connections + [writer] {
            connection.close()
        }
    }
}
