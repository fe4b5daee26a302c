import Foundation
import HokusaiCore
import HokusaiStore
import Logging
import SQLKit
import Testing

/// The SQLite store's own connections (a thread each, statements kept prepared): values come back
/// with SQLiteKit's decoding rules, a statement's error is an error (not a hang or a crash), and
/// a closed store refuses work instead of waiting for it forever.
@Suite struct SQLiteConnectionTests {
    func withDatabase(_ body: (SQLiteStoreDatabase) async throws -> Void) async throws {
        let store = try await TestStore.make(.sqlite)
        let database = try await SQLiteStoreDatabase.open(path: try #require(store.sqlitePath), logger: Logger(label: "test"))
        do { try await body(database) } catch {
            await database.close()
            await store.cleanup()
            throw error
        }
        await database.close()
        await store.cleanup()
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
            #expect(try row.decodeNil(column: "n"))
            #expect(try row.decode(column: "i", as: Int64.self) == 42)
            #expect(try row.decode(column: "i", as: Int.self) == 42)
            #expect(try row.decode(column: "i", as: Int64?.self) == 42)
            #expect(try row.decode(column: "d", as: Double.self) == 1.5)
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
}
