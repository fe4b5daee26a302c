import Foundation
import HokusaiCore
import Logging
import SQLKit
import SQLiteKit
import SQLiteNIO
import Testing

@testable import HokusaiStore

/// The SQLite store's own connections (statements run on the caller's thread, kept prepared):
/// values come back with SQLiteKit's decoding rules, a statement's error is an error (not a hang
/// or a crash), a closed store refuses work instead of waiting for it forever, a busy reader is
/// passed over, and the write-ahead log is copied back into the file off the commit.
@Suite struct SQLiteConnectionTests {
    func withDatabase(_ body: (SQLiteStoreDatabase) async throws -> Void) async throws {
        let store = try await TestStore.make(.sqlite)
        do { try await withDatabase(at: try #require(store.sqlitePath), body) } catch {
            await store.cleanup()
            throw error
        }
        await store.cleanup()
    }

    func withDatabase(at path: String, _ body: (SQLiteStoreDatabase) async throws -> Void) async throws {
        let database = try await SQLiteStoreDatabase.open(path: path, logger: Logger(label: "test"))
        do { try await body(database) } catch {
            await database.close()
            throw error
        }
        await database.close()
    }

    @Test func valuesDecodeAsSQLiteKitDecodesThem() async throws {
        try await withDatabase { database in
            let row = try await database.read { db in
                try #require(
                    try await db.raw("SELECT 'text' AS s, NULL AS n, 42 AS i, 1.5 AS d, 1 AS b, 7 AS whole, 'x''y\"z' AS quoted")
                        .first())
            }
            #expect(try row.decode(column: "s", as: String.self) == "text")
            #expect(try row.decode(column: "s", as: String?.self) == "text")
            #expect(try row.decode(column: "n", as: String?.self) == nil)
            #expect(try row.decode(column: "n", as: Int64?.self) == nil)
            #expect(try row.decode(column: "n", as: Int?.self) == nil)
            #expect(try row.decode(column: "n", as: Double?.self) == nil)
            #expect(try row.decodeNil(column: "n"))
            #expect(try row.decode(column: "i", as: Int64.self) == 42)
            #expect(try row.decode(column: "i", as: Int.self) == 42)
            #expect(try row.decode(column: "i", as: Int64?.self) == 42)
            #expect(try row.decode(column: "i", as: Int?.self) == 42)
            #expect(try row.decode(column: "d", as: Double.self) == 1.5)
            #expect(try row.decode(column: "d", as: Double?.self) == 1.5)
            #expect(try row.decode(column: "i", as: String.self) == "42")
            #expect(try row.decode(column: "b", as: Bool.self))
            #expect(try row.decode(column: "whole", as: Double.self) == 7)
            #expect(try row.decode(column: "quoted", as: String.self) == "x'y\"z")
            #expect(throws: (any Error).self) { try row.decode(column: "missing", as: String.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "n", as: String.self) }
        }
    }

    @Test func boundValuesRoundTripThroughKeptStatements() async throws {
        try await withDatabase { database in
            try await database.transaction { db in
                try await db.raw("CREATE TABLE t (k TEXT PRIMARY KEY, v DOUBLE PRECISION, n BIGINT)").run()
            }
            let values: [(String, Double, Int64)] = [("é∑", 0.1, Int64.max), ("", -0.0, Int64.min), ("a\u{0}b", 1e300, 0)]
            for (key, value, number) in values {
                try await database.transaction { db in
                    try await db.raw("INSERT INTO t (k, v, n) VALUES (\(bind: key), \(bind: value), \(bind: number))").run()
                }
            }
            for (key, value, number) in values {
                let row = try await database.read { db in
                    try #require(try await db.raw("SELECT k, v, n FROM t WHERE k = \(bind: key)").first())
                }
                #expect(try row.decode(column: "k", as: String.self) == key)
                #expect(try row.decode(column: "v", as: Double.self) == value)
                #expect(try row.decode(column: "n", as: Int64.self) == number)
            }
        }
    }

    /// The common types take a short way to SQLite data; every value must still come out as
    /// SQLiteKit's encoder makes it, the types that look alike (Optional, Int32, Float) included.
    @Test func everyBoundTypeBecomesTheDataSQLiteKitsEncoderMakes() throws {
        let values: [any Encodable & Sendable] = [
            "text", "", "é∑\u{0}", 0.5, -0.0, Double.infinity, Int64.max, Int64.min, Int.max, -1, true, false,
            Int32(7), Float(0.25), String?.none, String?.some("wrapped"), Int?.some(3), Double?.none,
        ]
        for value in values {
            #expect(try SQLiteConnectionDatabase.data(value) == SQLiteDataEncoder().encode(value), "\(value)")
        }
    }

    @Test func aFailingStatementThrowsAndTheConnectionGoesOn() async throws {
        try await withDatabase { database in
            try await database.transaction { db in try await db.raw("CREATE TABLE u (k TEXT PRIMARY KEY)").run() }
            try await database.transaction { db in try await db.raw("INSERT INTO u (k) VALUES ('a')").run() }
            await #expect(throws: SQLiteStatementError.self) {
                try await database.transaction { db in try await db.raw("INSERT INTO u (k) VALUES ('a')").run() }
            }
            await #expect(throws: SQLiteStatementError.self) {
                try await database.read { db in try await db.raw("SELECT nothing FROM nowhere").run() }
            }
            let count = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS c FROM u").first()?.decode(column: "c", as: Int.self)
            }
            #expect(count == 1)
        }
    }

    @Test func aClosedStoreRefusesWorkInsteadOfHanging() async throws {
        let store = try await TestStore.make(.sqlite)
        let database = try await SQLiteStoreDatabase.open(path: try #require(store.sqlitePath), logger: Logger(label: "test"))
        await database.close()
        await #expect(throws: SQLiteStatementError.self) {
            try await database.read { db in try await db.raw("SELECT 1").run() }
        }
        await #expect(throws: SQLiteStatementError.self) {
            try await database.transaction { db in try await db.raw("SELECT 1").run() }
        }
        await store.cleanup()
    }

    @Test func theLogIsCopiedBackAndStartsAgainFromTheTop() async throws {
        let store = try await TestStore.make(.sqlite)
        let path = try #require(store.sqlitePath)
        do { try await checkpointsKeepUp(at: path) } catch {
            await store.cleanup()
            throw error
        }
        await store.cleanup()
    }

    func checkpointsKeepUp(at path: String) async throws {
        try await withDatabase(at: path) { database in
            try await database.transaction { db in try await db.raw("CREATE TABLE big (v TEXT)").run() }
            // Twice: 22 commits of 200 KB (about 1,100 pages of log, past the checkpoint mark),
            // then wait for the rows to reach the database file. The writer's own automatic
            // checkpoint is off, so only the checkpointer can put them there.
            let value = String(repeating: "x", count: 200_000)
            for round in 1...2 {
                for _ in 0..<22 {
                    try await database.transaction { db in
                        try await db.raw("INSERT INTO big (v) VALUES (\(bind: value))").run()
                    }
                }
                let target = round * 4_000_000
                var fileBytes = 0
                for _ in 0..<100 where fileBytes < target {
                    try await Task.sleep(for: .milliseconds(50))
                    fileBytes = Self.size(of: path)
                }
                #expect(fileBytes >= target, "round \(round)")
            }
            // The second round was written from the top of the log again, not after the first.
            #expect(Self.size(of: path + "-wal") < 6_500_000)
        }
    }

    static func size(of path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// A kept statement is planned once: the query that finds a run's logged model by name is
    /// one SQLite would plan again on every use if its bindings were cleared after each.
    @Test func keptStatementsAreNotPlannedAgainWhenRebound() async throws {
        let store = try await TestStore.make(.sqlite)
        defer { Task { await store.cleanup() } }
        let database = try await store.location.open(logger: Logger(label: "test"))
        _ = try await MigrationRunner(database: database).migrate()
        await database.close()
        let handle = try SQLiteHandle(path: try #require(store.sqlitePath))
        defer { handle.close() }
        let sql = """
            SELECT model_id FROM logged_models WHERE source_run_id = ?1 AND name = ?2
            AND lifecycle_stage = 'active' ORDER BY creation_timestamp_ms DESC LIMIT 1
            """
        for attempt in 0..<5 {
            _ = try handle.query(sql, [.text("run-\(attempt)"), .text("model-\(attempt)")])
        }
        #expect(handle.timesReprepared(sql) == 0)
    }

    /// With bindings no longer cleared between uses, a statement given fewer values than it has
    /// parameters would run with the last use's values: it is refused instead.
    @Test func aStatementGivenTooFewValuesIsRefused() async throws {
        try await withDatabase { database in
            await #expect(throws: SQLiteStatementError.self) {
                try await database.read { db in try await db.execute(sql: SQLRaw("SELECT ?1, ?2")) { _ in } }
            }
        }
    }

    @Test func aStatementPassesOverABusyReader() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("readers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("r.sqlite").path
        let first = try SQLiteConnection(path: path)
        let second = try SQLiteConnection(path: path)
        defer {
            first.close()
            second.close()
        }
        // A temporary table is private to its connection: it says which one ran a statement.
        for (connection, name) in [(first, "first"), (second, "second")] {
            _ = try connection.run { try $0.query("CREATE TEMP TABLE whoami (name TEXT)", []) }
            _ = try connection.run { try $0.query("INSERT INTO whoami VALUES ('\(name)')", []) }
        }
        let readers = SQLiteReaders([first, second])
        let held = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        // Another thread holds the first reader: with a fallback only after 2 s, a statement that
        // waited for it would come back from "first".
        Thread {
            first.run { _ in
                held.signal()
                _ = release.wait(timeout: .now() + 2)
            }
        }.start()
        held.wait()
        var answers: [String] = []
        for _ in 0..<4 {
            let rows = try readers.run { try $0.query("SELECT name FROM whoami", []) }
            if case .text(let name) = rows.rows.first?.first { answers.append(name) }
        }
        release.signal()
        #expect(answers == ["second", "second", "second", "second"])
    }
}
