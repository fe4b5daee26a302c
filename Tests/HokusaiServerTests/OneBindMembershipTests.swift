import Foundation
import HokusaiCore
import Logging
import SQLKit
import Testing

@testable import HokusaiStore

/// `column IN (values)` with all the values in one parameter, on both stores: lists longer than
/// PostgreSQL's 65,535 parameters a statement, values that need escaping inside a JSON array, and
/// the one-value and no-value edges.
@Suite struct OneBindMembershipTests {
    @Test(arguments: TestStoreKind.available)
    func aListLongerThanAStatementsParametersMatchesEachOfItsValues(kind: TestStoreKind) async throws {
        try await withModels(["alpha", "beta", "gamma"], kind) { db in
            let names = (0..<70_000).map { "absent-\($0)" } + ["gamma", "alpha"]
            let found = try await Self.matches(OneBindMembership("name", in: names), on: db)
            #expect(found == ["alpha", "gamma"])
        }
    }

    @Test(arguments: TestStoreKind.available)
    func valuesThatNeedEscapingInJSONMatchExactly(kind: TestStoreKind) async throws {
        let odd = [#"quote " inside"#, #"back\slash"#, "new\nline", "tab\there", "ünïcødé 模型", "[1,2]", "", "emoji 🚀"]
        try await withModels(odd + ["plain"], kind) { db in
            let all = try await Self.matches(OneBindMembership("name", in: odd), on: db)
            let one = try await Self.matches(OneBindMembership("name", in: [#"back\slash"#]), on: db)
            let none = try await Self.matches(OneBindMembership("name", in: [String]()), on: db)
            #expect(all == odd.sorted())
            #expect(one == [#"back\slash"#])
            #expect(none.isEmpty)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func integerListsMatchAsIntegers(kind: TestStoreKind) async throws {
        try await withModels(["alpha"], kind) { db in
            let rows = try await db.raw(
                "SELECT COUNT(*) AS n FROM experiments WHERE \(OneBindMembership("experiment_id", in: [Int64(0), 7, 99]))"
            ).all()
            let count = try rows.first?.decode(column: "n", as: Int.self)
            #expect(count == 1)
        }
    }

    /// The data query of a page of runs reads each table by its primary key, once per listed id,
    /// rather than scanning the table for ids in the JSON array.
    @Test func sqliteReadsEachTableByItsPrimaryKey() async throws {
        try await withModels([], .sqlite) { db in
            let ids = OneBindMembership("run_id", in: ["a", "b", "c"])
            let plan = try await db.raw("EXPLAIN QUERY PLAN SELECT key, value FROM run_params WHERE \(ids)").all()
                .map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
            #expect(plan.contains("SEARCH run_params USING INDEX sqlite_autoindex_run_params_1 (run_id=?)"), "\(plan)")
        }
    }

    private static func matches(_ membership: OneBindMembership<String>, on db: any SQLDatabase) async throws -> [String] {
        try await db.raw("SELECT name FROM registered_models WHERE \(membership) ORDER BY name").all()
            .map { try $0.decode(column: "name", as: String.self) }
            .sorted()
    }

    private func withModels(
        _ names: [String], _ kind: TestStoreKind, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Void
    ) async throws {
        let store = try await TestStore.make(kind)
        defer { Task { await store.cleanup() } }
        let database = try await store.location.open(logger: Logger(label: "test"))
        _ = try await MigrationRunner(database: database).migrate()
        do {
            try await database.transaction { db in
                for name in names {
                    try await db.raw(
                        """
                        INSERT INTO registered_models (name, creation_timestamp, last_updated_timestamp, description, next_version)
                        VALUES (\(bind: name), 1, 1, '', 1)
                        """
                    ).run()
                }
                try await body(db)
            }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
}
