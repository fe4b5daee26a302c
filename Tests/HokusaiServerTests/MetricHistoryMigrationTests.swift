import Foundation
import HokusaiCore
import HokusaiStore
import Logging
import SQLKit
import Testing

/// M007 rebuilds SQLite's metric history as a `WITHOUT ROWID` table: points logged before it are
/// all there after it, and new points are written and read back as before.
@Suite struct MetricHistoryMigrationTests {
    @Test(arguments: TestStoreKind.available)
    func pointsLoggedBeforeTheRebuildSurviveIt(kind: TestStoreKind) async throws {
        let store = try await TestStore.make(kind)
        do {
            let database = try await store.location.open(logger: Logger(label: "test"))
            let beforeRebuild = Array(Migrations.all.prefix { $0.id < 7 })
            try await MigrationRunner(database: database, migrations: beforeRebuild).migrate()
            let early = (0..<700).map { MetricPoint(key: "loss", value: 1.0 / Double($0 + 1), timestamp: 5, step: Int64($0)) }
            try await database.transaction { db in
                try await db.raw(
                    """
                    INSERT INTO runs (run_id, experiment_id, run_name, user_id, status, start_time, lifecycle_stage, artifact_uri)
                    VALUES ('r1', 0, 'r', 'u', 'RUNNING', 1, 'active', 'x')
                    """
                ).run()
                let nan = MetricPoint(key: "nan", value: .nan, timestamp: 1, step: 0)
                try await MetricRepository().log(runId: "r1", early + [nan], on: db)
            }
            try await MigrationRunner(database: database).migrate()
            let late = MetricPoint(key: "loss", value: 0.0001, timestamp: 6, step: 700)
            try await database.transaction { db in try await MetricRepository().log(runId: "r1", [late], on: db) }
            let (history, nan, latest, layout) = try await database.read { db in
                let history = try await MetricRepository().history(runId: "r1", key: "loss", limit: 1000, offset: 0, on: db)
                let nan = try await MetricRepository().history(runId: "r1", key: "nan", limit: 10, offset: 0, on: db)
                let latest = try await MetricRepository().latest(runId: "r1", on: db)
                let layout =
                    kind == .sqlite
                    ? try await db.raw("SELECT sql FROM sqlite_master WHERE name = 'metric_history'").first()?
                        .decode(column: "sql", as: String.self) : nil
                return (history, nan, latest, layout)
            }
            #expect(history == early + [late])
            #expect(nan.count == 1 && nan[0].value.isNaN)
            #expect(latest.first { $0.key == "loss" } == late)
            if kind == .sqlite { #expect(layout?.hasSuffix("WITHOUT ROWID") == true) }
            await database.close()
        } catch {
            await store.cleanup()
            throw error
        }
        await store.cleanup()
    }
}
