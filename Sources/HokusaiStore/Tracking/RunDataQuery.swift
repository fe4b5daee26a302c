import HokusaiCore
import SQLKit

/// A page of runs' params, tags, latest metrics and logged-model outputs in one statement (a
/// `UNION ALL` with a kind column) instead of four: on SQLite each statement is parsed afresh and
/// handed to a thread of its own, and for `get_run` those round trips were most of the time. It
/// also says which runs have dataset inputs, so their (many-column) rows are read only when there
/// are some. Each table is read from the list of run ids (`OneBindSelection`): on SQLite one
/// primary-key seek per run into tables clustered on `(run_id, key)` (M008).
///
/// Each run's params, tags, metrics and outputs come back ordered by key (model id). The database
/// is not asked to sort: sorting the 6,000 rows of a page of 1,000 runs was a quarter of the
/// statement's time on SQLite, whose primary-key reads return them in key order anyway, so a run's
/// list is sorted here only when it is not already (PostgreSQL's plans promise no order).
enum RunDataQuery {
    struct Loaded {
        var params: [KeyValue] = []
        var tags: [KeyValue] = []
        var metrics: [MetricPoint] = []
        var outputs: [ModelOutput] = []
        var hasInputs = false

        func sortedByKey() -> Loaded {
            var sorted = self
            if !Self.inKeyOrder(params.lazy.map(\.key)) { sorted.params.sort { $0.key < $1.key } }
            if !Self.inKeyOrder(tags.lazy.map(\.key)) { sorted.tags.sort { $0.key < $1.key } }
            if !Self.inKeyOrder(metrics.lazy.map(\.key)) { sorted.metrics.sort { $0.key < $1.key } }
            if !Self.inKeyOrder(outputs.lazy.map(\.modelId)) { sorted.outputs.sort { $0.modelId < $1.modelId } }
            return sorted
        }

        private static func inKeyOrder(_ keys: some Collection<String>) -> Bool {
            zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 }
        }
    }

    private enum Kind: Int {
        case param = 0, tag, metric, output, input
    }

    static func load(_ runIds: [String], on db: any SQLDatabase) async throws -> [String: Loaded] {
        let selection = OneBindSelection(where: "run_id", in: runIds)
        func rows(_ table: String) -> OneBindSelection<String> { selection.from(table, as: "t") }
        let rows = try await db.raw(
            """
            SELECT 0 AS kind, t.run_id, t.key, t.value AS text, 0.0 AS number, 0 AS step, 0 AS ts, 0 AS nan
                \(rows("run_params"))
            UNION ALL SELECT 1, t.run_id, t.key, t.value, 0.0, 0, 0, 0 \(rows("run_tags"))
            UNION ALL SELECT 2, t.run_id, t.key, NULL, t.value, t.step, t.timestamp, t.is_nan \(rows("latest_metrics"))
            UNION ALL SELECT 3, t.run_id, t.model_id, NULL, 0.0, t.step, 0, 0 \(rows("run_outputs"))
            UNION ALL SELECT DISTINCT 4, t.run_id, '', NULL, 0.0, 0, 0, 0 \(rows("run_inputs"))
            """
        ).all()
        var result: [String: Loaded] = [:]
        for row in rows {
            let runId = try row.decode(column: "run_id", as: String.self)
            let key = try row.decode(column: "key", as: String.self)
            switch Kind(rawValue: try row.decode(column: "kind", as: Int.self)) {
            case .param?:
                result[runId, default: Loaded()].params.append(
                    KeyValue(key: key, value: try row.decode(column: "text", as: String.self)))
            case .tag?:
                result[runId, default: Loaded()].tags.append(
                    KeyValue(key: key, value: try row.decode(column: "text", as: String.self)))
            case .metric?:
                let isNaN = try row.decode(column: "nan", as: Int.self) != 0
                result[runId, default: Loaded()].metrics.append(
                    MetricPoint(
                        key: key, value: isNaN ? .nan : try row.decode(column: "number", as: Double.self),
                        timestamp: try row.decode(column: "ts", as: Int64.self),
                        step: try row.decode(column: "step", as: Int64.self)))
            case .output?:
                result[runId, default: Loaded()].outputs.append(
                    ModelOutput(modelId: key, step: try row.decode(column: "step", as: Int64.self)))
            case .input?:
                result[runId, default: Loaded()].hasInputs = true
            case nil:
                continue
            }
        }
        return result.mapValues { $0.sortedByKey() }
    }
}
