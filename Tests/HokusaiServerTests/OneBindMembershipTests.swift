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

    /// A list read as rows (`OneBindSelection`) matches each listed value once, however often it
    /// is listed, and matches nothing for an empty list; one value and many agree.
    @Test(arguments: TestStoreKind.available)
    func aSelectionYieldsEachMatchingRowOnce(kind: TestStoreKind) async throws {
        try await withModels(["alpha", "beta", "gamma", #"quote " inside"#], kind) { db in
            func selected(_ names: [String]) async throws -> [String] {
                let rows = OneBindSelection(where: "name", in: names).from("registered_models", as: "m")
                return try await db.raw("SELECT m.name \(rows)").all().map { try $0.decode(column: "name", as: String.self) }
                    .sorted()
            }
            let repeated = try await selected(["gamma", "absent", "alpha", "gamma", "alpha"])
            let escaped = try await selected([#"quote " inside"#, "beta"])
            let one = try await selected(["beta"])
            let none = try await selected([])
            #expect(repeated == ["alpha", "gamma"])
            #expect(escaped == ["beta", #"quote " inside"#])
            #expect(one == ["beta"])
            #expect(none.isEmpty)
        }
    }

    /// On SQLite the listed values drive the read: one primary-key seek into the table per value,
    /// with no temporary B-tree of the list first (what `IN (SELECT …)` built) and no scan.
    @Test func sqliteSeeksEachListedValueByThePrimaryKey() async throws {
        try await withModels([], .sqlite) { db in
            let rows = OneBindSelection(where: "run_id", in: ["a", "b", "c"]).from("run_params", as: "t")
            let plan = try await db.raw("EXPLAIN QUERY PLAN SELECT t.key, t.value \(rows)").all()
                .map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
            #expect(plan.contains("SEARCH t USING PRIMARY KEY (run_id=?)"), "\(plan)")
            let scansTheTable = plan.split(separator: "\n").contains { $0 == "SCAN t" || $0.hasPrefix("SCAN t ") }
            #expect(!plan.contains("LIST SUBQUERY") && !scansTheTable, "\(plan)")
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
