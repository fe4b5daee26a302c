import Foundation
import HokusaiCore
import HokusaiServer
import HokusaiStore
import Logging
import SQLKit
import Testing

@Suite struct MigrationAndBootstrapTests {
    let logger = Logger(label: "test")

    func withStore(_ kind: TestStoreKind, _ body: (TestStore) async throws -> Void) async throws {
        let store = try await TestStore.make(kind)
        do { try await body(store) } catch {
            await store.cleanup()
            throw error
        }
        await store.cleanup()
    }

    @Test(arguments: TestStoreKind.available)
    func migratingTwiceAppliesEachMigrationOnce(kind: TestStoreKind) async throws {
        try await withStore(kind) { store in
            let database = try await store.location.open(logger: logger)
            let runner = MigrationRunner(database: database)
            let initial = try await runner.status()
            #expect(initial.appliedId == 0 && initial.latestId == Migrations.latestId)
            #expect(try await runner.migrate().map(\.id) == Migrations.all.map(\.id))
            #expect(try await runner.migrate().isEmpty)
            #expect(try await runner.status().isCurrent)
            await database.close()
        }
    }

    @Test(arguments: TestStoreKind.available)
    func concurrentStartsMigrateOnceAndCreateOneAdminKey(kind: TestStoreKind) async throws {
        try await withStore(kind) { store in
            let location = store.location
            let logger = self.logger
            let outcomes = await withTaskGroup(of: Result<PreparedStore, any Error>.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        do { return .success(try await StorePreparation.prepare(location: location, logger: logger)) } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let results = outcomes.compactMap { try? $0.get() }
            for case .failure(let error) in outcomes {
                Issue.record("prepare failed: \(String(reflecting: error))")
            }
            if results.count == 4 {
                #expect(results.compactMap(\.firstAdminKey).count == 1)
                let keys = try? await results[0].database.read { db in try await KeyRepository().count(on: db) }
                #expect(keys == 1)
            }
            for result in results { await result.database.close() }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func laterStartsNeverIssueAnotherFirstKey(kind: TestStoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await StorePreparation.prepare(location: store.location, logger: logger)
            #expect(first.firstAdminKey != nil)
            await first.database.close()
            let second = try await StorePreparation.prepare(location: store.location, logger: logger)
            #expect(second.firstAdminKey == nil)
            await second.database.close()
        }
    }

    @Test(arguments: TestStoreKind.available)
    func aStoreFromANewerBinaryIsRefused(kind: TestStoreKind) async throws {
        try await withStore(kind) { store in
            let database = try await store.location.open(logger: logger)
            try await MigrationRunner(database: database).migrate()
            try await database.transaction { db in
                try await db.raw("INSERT INTO hokusai_migrations (id, name, applied_at) VALUES (999, 'future', 0)").run()
            }
            await #expect(throws: StoreError.self) { try await MigrationRunner(database: database).migrate() }
            await database.close()
        }
    }

    @Test(arguments: TestStoreKind.available)
    func aFailedMigrationLeavesTheSchemaUnchanged(kind: TestStoreKind) async throws {
        try await withStore(kind) { store in
            let database = try await store.location.open(logger: logger)
            let broken =
                Migrations.all + [
                    Migration(id: Migrations.latestId + 1, name: "broken") { _ in
                        ["CREATE TABLE half_done (id TEXT PRIMARY KEY)", "THIS IS NOT SQL"]
                    }
                ]
            await #expect(throws: (any Error).self) {
                try await MigrationRunner(database: database, migrations: broken).migrate()
            }
            let status = try await MigrationRunner(database: database).status()
            #expect(status.appliedId == 0)
            let tables = try await database.read { db -> Int in
                switch database.kind {
                case .sqlite:
                    return try await db.raw("SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ('half_done', 'api_keys')")
                        .first()?.decode(column: "n", as: Int.self) ?? -1
                case .postgresql:
                    return try await db.raw(
                        "SELECT COUNT(*)::bigint AS n FROM pg_tables WHERE schemaname = current_schema() AND tablename IN ('half_done', 'api_keys')"
                    ).first()?.decode(column: "n", as: Int.self) ?? -1
                }
            }
            #expect(tables == 0)
            await database.close()
        }
    }
}
