import HokusaiCore
import SQLKit

/// An experiment search as SQL: name, id and time attributes on `experiments`, tags through
/// `EXISTS` on `experiment_tags`' primary key. Default order: newest first.
public struct ExperimentSearchQuery: Sendable {
    public var stages: [LifecycleStage]
    public var filter: SearchFilter
    public var orderings: [SearchOrdering]
    public var limit: Int
    public var offset: Int

    public init(stages: [LifecycleStage], filter: SearchFilter, orderings: [SearchOrdering], limit: Int, offset: Int) {
        self.stages = stages
        self.filter = filter
        self.orderings = orderings
        self.limit = limit
        self.offset = offset
    }

    func sql() throws(MLflowError) -> SQLQueryString {
        var conditions: [SQLQueryString] = ["e.lifecycle_stage IN (\(binds: stages.map(\.rawValue)))"]
        for clause in filter.clauses {
            switch clause.subject {
            case .attribute(let name) where FilterSchema.experiments.isNumeric(name):
                conditions.append(try SearchSQL.numericComparison("e.\(name)", clause))
            case .attribute(let name):
                conditions.append(try SearchSQL.stringComparison("e.\(name)", clause))
            case .tag(let key):
                conditions.append(try SearchSQL.keyValueCondition(.experimentTags, owner: "e.experiment_id", key: key, clause))
            default:
                throw .invalid("Experiments can be searched by name, experiment_id, creation_time, last_update_time and tags")
            }
        }
        var orderTerms: [SQLQueryString] = []
        for ordering in orderings {
            guard case .attribute(let name) = ordering.subject else {
                throw .invalid("Experiments can be ordered by name, experiment_id, creation_time and last_update_time")
            }
            orderTerms.append("e.\(ident: name) \(unsafeRaw: ordering.ascending ? "ASC" : "DESC")")
        }
        orderTerms.append("e.creation_time DESC")
        orderTerms.append("e.experiment_id DESC")
        return SearchSQL.page(
            "SELECT e.* FROM experiments e", conditions: conditions, order: orderTerms, limit: limit, offset: offset)
    }
}
