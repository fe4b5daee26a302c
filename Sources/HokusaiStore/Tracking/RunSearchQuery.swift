import HokusaiCore
import SQLKit

/// A run search, as SQL. Filters on metrics, params and tags become membership tests,
/// `runs.run_id IN (SELECT run_id … WHERE key = ? AND value …)`, read from the `(key, …, value,
/// run_id)` indexes (M006), so a selective filter reads only the runs it matches instead of probing
/// every run of the experiment (EXISTS took 14 ms where this takes 10 over 10,000 runs). Orderings
/// become `LEFT JOIN`s on the `(run_id, key)` primary keys, and the page is cut in the database: runs
/// are never loaded to be filtered.
///
/// Runs lacking an ordering key sort last in both directions; ties fall back to the default order,
/// `start_time DESC, run_id ASC`.
public struct RunSearchQuery: Sendable {
    public var experimentIds: [Int64]
    public var stages: [LifecycleStage]
    public var filter: SearchFilter
    public var orderings: [SearchOrdering]
    public var limit: Int
    public var offset: Int

    public init(
        experimentIds: [Int64], stages: [LifecycleStage], filter: SearchFilter, orderings: [SearchOrdering], limit: Int,
        offset: Int
    ) {
        self.experimentIds = experimentIds
        self.stages = stages
        self.filter = filter
        self.orderings = orderings
        self.limit = limit
        self.offset = offset
    }

    /// `SELECT runs.run_id …` for one page, in order.
    func sql() throws(MLflowError) -> SQLQueryString {
        var joins: [SQLQueryString] = []
        var orderTerms: [SQLQueryString] = []
        for (index, ordering) in orderings.enumerated() {
            let alias = "o\(index)"
            let direction = ordering.ascending ? "ASC" : "DESC"
            switch ordering.subject {
            case .metric(let key):
                joins.append(Self.join("latest_metrics", alias: alias, key: key))
                orderTerms.append("CASE WHEN \(ident: alias).value IS NULL OR \(ident: alias).is_nan = 1 THEN 1 ELSE 0 END")
                orderTerms.append("\(ident: alias).value \(unsafeRaw: direction)")
            case .param(let key), .tag(let key):
                let table = if case .param = ordering.subject { "run_params" } else { "run_tags" }
                joins.append(Self.join(table, alias: alias, key: key))
                orderTerms.append("CASE WHEN \(ident: alias).value IS NULL THEN 1 ELSE 0 END")
                orderTerms.append("\(ident: alias).value \(unsafeRaw: direction)")
            case .attribute(let attribute):
                let column = Self.column(attribute)
                orderTerms.append("CASE WHEN runs.\(ident: column) IS NULL THEN 1 ELSE 0 END")
                orderTerms.append("runs.\(ident: column) \(unsafeRaw: direction)")
            case .dataset:
                throw .invalid("Ordering runs by dataset is not supported")
            }
        }
        orderTerms.append("runs.start_time DESC")
        orderTerms.append("runs.run_id ASC")

        var conditions: [SQLQueryString] = [
            "runs.experiment_id IN (\(binds: experimentIds))",
            "runs.lifecycle_stage IN (\(binds: stages.map(\.rawValue)))",
        ]
        for clause in filter.clauses {
            conditions.append(try Self.condition(clause))
        }
        return SearchSQL.page(
            "SELECT runs.run_id FROM runs", joins: joins, conditions: conditions, order: orderTerms, limit: limit, offset: offset)
    }

    static func join(_ table: String, alias: String, key: String) -> SQLQueryString {
        "LEFT JOIN \(ident: table) \(ident: alias) ON \(ident: alias).run_id = runs.run_id AND \(ident: alias).key = \(bind: key)"
    }

    /// The `runs` column of an attribute the runs schema allows (`created` is `start_time`).
    static func column(_ attribute: String) -> String {
        attribute == "created" ? "start_time" : attribute
    }

    static func condition(_ clause: SearchFilter.Clause) throws(MLflowError) -> SQLQueryString {
        switch clause.subject {
        case .metric(let key):
            guard case .number(let number) = clause.value else { throw .invalid("Metric filters need a number") }
            return """
                runs.run_id IN (SELECT f.run_id FROM latest_metrics f WHERE f.key = \(bind: key) \
                AND f.is_nan = 0 AND f.value \(unsafeRaw: clause.comparator.rawValue) \(bind: number))
                """
        case .param(let key):
            return try SearchSQL.keyValueMembership(.runParams, owner: "runs.run_id", key: key, clause)
        case .tag(let key):
            return try SearchSQL.keyValueMembership(.runTags, owner: "runs.run_id", key: key, clause)
        case .attribute(let attribute) where FilterSchema.runs.isNumeric(attribute):
            return try SearchSQL.numericComparison("runs.\(column(attribute))", clause)
        case .attribute(let attribute):
            return try SearchSQL.stringComparison("runs.\(column(attribute))", clause)
        case .dataset(let field):
            let column = field == .context ? "ri.context" : "d.\(field.rawValue)"
            return """
                EXISTS (SELECT 1 FROM run_inputs ri JOIN datasets d ON d.dataset_id = ri.dataset_id \
                WHERE ri.run_id = runs.run_id AND
                """ + " " + (try SearchSQL.stringComparison(column, clause)) + ")"
        }
    }
}
