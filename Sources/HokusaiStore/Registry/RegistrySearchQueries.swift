import HokusaiCore
import SQLKit

/// A registered-model search as SQL. Default order: name ascending.
public struct RegisteredModelSearchQuery: Sendable {
    public var page: SearchPage

    public init(_ page: SearchPage) { self.page = page }

    func sql() throws(MLflowError) -> SQLQueryString {
        var conditions: [SQLQueryString] = ["1 = 1"]
        for clause in page.filter.clauses {
            switch clause.subject {
            case .attribute(let name):
                conditions.append(try SearchSQL.stringComparison("r.\(name)", clause))
            case .tag(let key):
                conditions.append(
                    try RegistrySQL.tagCondition(table: "registered_model_tags", owner: "f.name = r.name", key: key, clause))
            default:
                throw .invalid("Registered models can be searched by name and tags")
            }
        }
        var order = try page.orderings.map { ordering throws(MLflowError) -> SQLQueryString in
            guard case .attribute(let name) = ordering.subject else { throw .invalid("Invalid order_by clause") }
            return "r.\(ident: name) \(unsafeRaw: ordering.ascending ? "ASC" : "DESC")"
        }
        order.append("r.name ASC")
        return SearchSQL.page(
            "SELECT r.name FROM registered_models r", conditions: conditions, order: order, limit: page.limit, offset: page.offset
        )
    }
}

/// A model-version search as SQL. Default order: last updated first, then name, then newest version.
public struct ModelVersionSearchQuery: Sendable {
    public var page: SearchPage

    public init(_ page: SearchPage) { self.page = page }

    static func column(_ attribute: String) -> String {
        switch attribute {
        case "version_number": "version"
        case "source_path": "source"
        default: attribute
        }
    }

    func sql() throws(MLflowError) -> SQLQueryString {
        var conditions: [SQLQueryString] = ["1 = 1"]
        for clause in page.filter.clauses {
            switch clause.subject {
            case .attribute(let name) where FilterSchema.modelVersions.isNumeric(name):
                conditions.append(try SearchSQL.numericComparison("v.\(Self.column(name))", clause))
            case .attribute(let name):
                conditions.append(try SearchSQL.stringComparison("v.\(Self.column(name))", clause))
            case .tag(let key):
                conditions.append(
                    try RegistrySQL.tagCondition(
                        table: "model_version_tags", owner: "f.name = v.name AND f.version = v.version", key: key, clause))
            default:
                throw .invalid("Model versions can be searched by name, version_number, run_id, source_path and tags")
            }
        }
        var order = try page.orderings.map { ordering throws(MLflowError) -> SQLQueryString in
            guard case .attribute(let name) = ordering.subject else { throw .invalid("Invalid order_by clause") }
            return "v.\(ident: Self.column(name)) \(unsafeRaw: ordering.ascending ? "ASC" : "DESC")"
        }
        order += ["v.last_updated_timestamp DESC", "v.name ASC", "v.version DESC"]
        return SearchSQL.page(
            "SELECT v.name, v.version FROM model_versions v", conditions: conditions, order: order, limit: page.limit,
            offset: page.offset)
    }
}

/// What every registry search asks for: a parsed filter, an order, and which page.
public struct SearchPage: Sendable {
    public var filter: SearchFilter
    public var orderings: [SearchOrdering]
    public var limit: Int
    public var offset: Int

    public init(filter: SearchFilter, orderings: [SearchOrdering], limit: Int, offset: Int) {
        self.filter = filter
        self.orderings = orderings
        self.limit = limit
        self.offset = offset
    }

    /// A search request as the client sends it, checked: the filter and each `order_by` parsed
    /// against their schemas, `max_results` within its limits, the page token decoded.
    static func parse(
        filter: String?, orderBy: [String], maxResults: Int?, pageToken: String?, schema: FilterSchema,
        orderingSchema: FilterSchema, defaultLimit: Int, maximumLimit: Int
    ) throws(MLflowError) -> SearchPage {
        let limit = try TrackingService.maxResults(maxResults, default: defaultLimit, maximum: maximumLimit)
        return SearchPage(
            filter: try FilterParser.parse(filter, schema: schema),
            orderings: try orderBy.map { clause throws(MLflowError) in try FilterParser.ordering(clause, schema: orderingSchema)
            },
            limit: limit, offset: try OffsetPageToken.decode(pageToken))
    }

    /// The token for the page after `returned` results, when this page came back full.
    func nextToken(returned: Int) -> String? {
        OffsetPageToken.next(offset: offset, limit: limit, returned: returned)
    }
}

enum RegistrySQL {
    /// A tag condition for the registry, where `tag.k != 'v'` also matches entities without the tag:
    /// the client appends ``tag.`mlflow.prompt.is_prompt` != 'true'`` to every model search, and
    /// untagged models must still be found.
    static func tagCondition(
        table: String, owner: String, key: String, _ clause: SearchFilter.Clause
    ) throws(MLflowError) -> SQLQueryString {
        let exists: SQLQueryString = "SELECT 1 FROM \(ident: table) f WHERE \(unsafeRaw: owner) AND f.key = \(bind: key)"
        if clause.comparator == .notEqual, case .string(let value) = clause.value {
            return "NOT EXISTS (" + exists + " AND f.value = \(bind: value))"
        }
        return "EXISTS (" + exists + " AND " + (try SearchSQL.stringComparison("f.value", clause)) + ")"
    }
}
