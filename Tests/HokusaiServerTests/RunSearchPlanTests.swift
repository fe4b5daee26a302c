import Foundation
import HokusaiCore
import Logging
import SQLKit
import Testing

@testable import HokusaiStore

/// How SQLite answers a filtered run search: the filters are read from the M006 indexes (a range of
/// the metric index, an equality range of the param index) rather than probed run by run, and the
/// experiment's runs come from an index that already holds their stage.
@Suite struct RunSearchPlanTests {
    @Test func filteredSearchReadsMatchingRunsFromTheKeyValueIndexes() async throws {
        let store = try await TestStore.make(.sqlite)
        defer { Task { await store.cleanup() } }
        let database = try await store.location.open(logger: Logger(label: "test"))
        _ = try await MigrationRunner(database: database).migrate()
        let filter = try FilterParser.parse("metrics.accuracy > 0.5 and params.model = 'cnn' and tags.team = 'ml'", schema: .runs)
        let query = RunSearchQuery(
            experimentIds: [1], stages: [.active], filter: filter,
            orderings: [SearchOrdering(subject: .metric("loss"), ascending: true)], limit: 100, offset: 0)
        let plan = try await database.read { db in
            try await db.raw("EXPLAIN QUERY PLAN " + query.sql()).all().map { try $0.decode(column: "detail", as: String.self) }
        }
        await database.close()
        let text = plan.joined(separator: "\n")
        #expect(text.contains("COVERING INDEX latest_metrics_key_nan_value (key=? AND is_nan=? AND value>?)"), "\(text)")
        #expect(text.contains("COVERING INDEX run_params_key_value (key=? AND value=?)"), "\(text)")
        #expect(text.contains("COVERING INDEX run_tags_key_value (key=? AND value=?)"), "\(text)")
        #expect(text.contains("COVERING INDEX runs_experiment_stage_start"), "\(text)")
        #expect(!text.contains("CORRELATED"), "\(text)")
    }
}
