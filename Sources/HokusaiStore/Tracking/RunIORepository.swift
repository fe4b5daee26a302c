import Foundation
import HokusaiCore
import SQLKit

/// SQL for what runs consumed (datasets) and produced (logged models).
public struct RunIORepository: Sendable {
    public init() {}

    public func addOutputs(runId: String, _ outputs: [ModelOutput], on db: any SQLDatabase) async throws {
        for output in outputs {
            try await db.raw(
                """
                INSERT INTO run_outputs (run_id, model_id, step) VALUES (\(bind: runId), \(bind: output.modelId), \(bind: output.step))
                ON CONFLICT (run_id, model_id) DO UPDATE SET step = excluded.step
                """
            ).run()
        }
    }

    /// Records datasets (shared per experiment by name and digest) and links them to the run.
    public func addInputs(runId: String, experimentId: Int64, _ inputs: [DatasetInput], on db: any SQLDatabase) async throws {
        for input in inputs {
            let existing = try await db.raw(
                """
                SELECT dataset_id FROM datasets WHERE experiment_id = \(bind: experimentId) AND name = \(bind: input.name)
                AND digest = \(bind: input.digest)
                """
            ).first().map { try $0.decode(column: "dataset_id", as: String.self) }
            let datasetId = existing ?? UUID().uuidString.lowercased()
            if existing == nil {
                try await db.raw(
                    """
                    INSERT INTO datasets (dataset_id, experiment_id, name, digest, source_type, source, schema_json, profile)
                    VALUES (\(bind: datasetId), \(bind: experimentId), \(bind: input.name), \(bind: input.digest),
                        \(bind: input.sourceType), \(bind: input.source), \(bind: input.schema), \(bind: input.profile))
                    """
                ).run()
            }
            let tags = String(decoding: try JSONEncoder().encode(input.tags.map { [$0.key, $0.value] }), as: UTF8.self)
            try await db.raw(
                """
                INSERT INTO run_inputs (run_id, dataset_id, context, tags_json)
                VALUES (\(bind: runId), \(bind: datasetId), \(bind: input.context), \(bind: tags))
                ON CONFLICT (run_id, dataset_id) DO UPDATE SET context = excluded.context, tags_json = excluded.tags_json
                """
            ).run()
        }
    }

    public func inputs(runIds: [String], on db: any SQLDatabase) async throws -> [String: [DatasetInput]] {
        guard !runIds.isEmpty else { return [:] }
        let rows = try await db.raw(
            """
            SELECT ri.run_id, ri.tags_json, d.name, d.digest, d.source_type, d.source, d.schema_json, d.profile
            FROM run_inputs ri JOIN datasets d ON d.dataset_id = ri.dataset_id
            WHERE \(OneBindMembership("ri.run_id", in: runIds)) ORDER BY d.name, d.digest
            """
        ).all()
        var result: [String: [DatasetInput]] = [:]
        for row in rows {
            let pairs =
                (try? JSONDecoder().decode([[String]].self, from: Data(try row.decode(column: "tags_json", as: String.self).utf8)))
                ?? []
            let input = DatasetInput(
                name: try row.decode(column: "name", as: String.self), digest: try row.decode(column: "digest", as: String.self),
                sourceType: try row.decode(column: "source_type", as: String.self),
                source: try row.decode(column: "source", as: String.self),
                schema: try row.decode(column: "schema_json", as: String?.self),
                profile: try row.decode(column: "profile", as: String?.self),
                tags: pairs.compactMap { $0.count == 2 ? KeyValue(key: $0[0], value: $0[1]) : nil })
            result[try row.decode(column: "run_id", as: String.self), default: []].append(input)
        }
        return result
    }
    /// Each dataset the experiments' runs used, once per context, at most `limit` of them.
    public func datasetSummaries(experimentIds: [Int64], limit: Int, on db: any SQLDatabase) async throws -> [DatasetSummary] {
        guard !experimentIds.isEmpty else { return [] }
        return try await db.raw(
            """
            SELECT DISTINCT d.experiment_id, d.name, d.digest, ri.context
            FROM datasets d JOIN run_inputs ri ON ri.dataset_id = d.dataset_id
            WHERE \(OneBindMembership("d.experiment_id", in: experimentIds))
            ORDER BY d.experiment_id, d.name, d.digest, ri.context LIMIT \(literal: limit)
            """
        ).all().map { row in
            DatasetSummary(
                experimentId: try row.decode(column: "experiment_id", as: Int64.self),
                name: try row.decode(column: "name", as: String.self), digest: try row.decode(column: "digest", as: String.self),
                context: try row.decode(column: "context", as: String?.self))
        }
    }
}
