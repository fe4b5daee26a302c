import Foundation
import HokusaiCore
import HokusaiStore
import Logging
import SQLKit
import Testing

/// M008 rebuilds SQLite's run data tables (params, tags, latest metrics, outputs) as `WITHOUT
/// ROWID` tables: what a run had before it is all there after it, new data is written beside it,
/// and the search indexes are made again on the new tables.
@Suite struct RunDataMigrationTests {
    @Test(arguments: TestStoreKind.available)
    func aRunsDataSurvivesTheRebuild(kind: TestStoreKind) async throws {
        let store = try await TestStore.make(kind)
        do {
            let database = try await store.location.open(logger: Logger(label: "test"))
            try await MigrationRunner(database: database, migrations: Array(Migrations.all.prefix { $0.id < 8 })).migrate()
            let params = [KeyValue(key: "lr", value: "0.1"), KeyValue(key: "model", value: "cnn")]
            let tags = [KeyValue(key: "team", value: "vision")]
            let loss = MetricPoint(key: "loss", value: 0.25, timestamp: 5, step: 3)
            try await database.transaction { db in
                try await db.raw(
                    """
                    INSERT INTO runs (run_id, experiment_id, run_name, user_id, status, start_time, lifecycle_stage, artifact_uri)
                    VALUES ('r1', 0, 'r', 'u', 'RUNNING', 1, 'active', 'x')
                    """
                ).run()
                try await RunRepository().insertParams(runId: "r1", params, on: db)
                try await RunRepository().setTags(runId: "r1", tags, on: db)
                try await MetricRepository().log(runId: "r1", [loss], on: db)
                try await RunIORepository().addOutputs(runId: "r1", [ModelOutput(modelId: "m-1", step: 2)], on: db)
            }
            try await MigrationRunner(database: database).migrate()
            try await database.transaction { db in
                try await RunRepository().insertParams(runId: "r1", [KeyValue(key: "seed", value: "7")], on: db)
            }
            let (run, layouts, indexes) = try await database.read { db in
                let run = try await RunRepository().run(runId: "r1", on: db)
                guard kind == .sqlite else { return (run, [String](), [String]()) }
                let layouts = try await db.raw(
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ('run_params', 'run_tags', 'latest_metrics', 'run_outputs')"
                ).all().map { try $0.decode(column: "sql", as: String.self) }
                let indexes = try await db.raw("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
                    .all().map { try $0.decode(column: "name", as: String.self) }
                return (run, layouts, indexes)
            }
            #expect(run?.params == params + [KeyValue(key: "seed", value: "7")])
            #expect(run?.tags == tags)
            #expect(run?.metrics == [loss])
            #expect(run?.outputs == [ModelOutput(modelId: "m-1", step: 2)])
            if kind == .sqlite {
                #expect(layouts.count == 4)
                #expect(layouts.allSatisfy { $0.hasSuffix("WITHOUT ROWID") }, "\(layouts)")
                for index in ["run_params_key_value", "run_tags_key_value", "latest_metrics_key_nan_value"] {
                    #expect(indexes.contains(index), "\(index) is missing: \(indexes)")
                }
            }
            await database.close()
        } catch {
            await store.cleanup()
            throw error
        }
        await store.cleanup()
    }
}
