import GraphQL

/// The bounds MLflow's server puts on a GraphQL document before running it
/// (`graphql_no_batching.check_query_safety`): a depth of 10, 1,000 selections in all, and 10 root
/// fields and 10 aliases on one level (MLflow's defaults for `MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS`
/// and `…_MAX_ALIASES`; the UI's queries have one root field and no aliases).
/// Without them one request could ask for the same run a thousand times under a thousand aliases.
/// Fragments count where they are spread, so aliases split across fragments still add up.
struct GraphQLQueryLimits: Sendable {
    var maximumDepth = 10
    var maximumSelections = 1000
    var maximumRootFields = 10
    var maximumAliases = 10

    /// Why `document` is refused, in MLflow's words, or nil when it is within bounds.
    func refusal(of document: Document) -> String? {
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions { fragments[fragment.name.value] = fragment }
        var rootFields = 0
        var mostAliases = 0
        var selections = 0
        for case let operation as OperationDefinition in document.definitions {
            var pending: [(SelectionSet, depth: Int, visited: Set<String>)] = [(operation.selectionSet, 1, [])]
            while let (set, depth, visited) = pending.popLast() {
                if depth > maximumDepth { return "Query exceeds maximum depth of \(maximumDepth)" }
                let level = Self.fieldsAndAliases(of: set, fragments: fragments, visited: visited)
                for field in level.fields {
                    if depth == 1 { rootFields += 1 }
                    if let nested = field.selectionSet { pending.append((nested, depth + 1, level.visited)) }
                    selections += 1
                    if selections > maximumSelections {
                        return "Query exceeds maximum total selections of \(maximumSelections)"
                    }
                }
                mostAliases = max(mostAliases, level.aliases)
            }
        }
        if rootFields > maximumRootFields {
            return Self.tooMany("root fields", limit: maximumRootFields, got: rootFields)
        }
        if mostAliases > maximumAliases {
            return Self.tooMany("aliases", limit: maximumAliases, got: mostAliases)
        }
        return nil
    }

    private static func tooMany(_ what: String, limit: Int, got: Int) -> String {
        "GraphQL queries should have at most \(limit) \(what), got \(got) \(what)."
    }

    /// The fields of one level, with those of the fragments spread or inlined in it, and their aliases.
    private static func fieldsAndAliases(
        of set: SelectionSet, fragments: [String: FragmentDefinition], visited: Set<String>
    ) -> (fields: [Field], aliases: Int, visited: Set<String>) {
        var fields: [Field] = []
        var aliases = 0
        var visited = visited
        var queue = set.selections[...]
        while let selection = queue.popFirst() {
            switch selection {
            case let field as Field:
                fields.append(field)
                if field.alias != nil { aliases += 1 }
            case let inline as InlineFragment:
                queue.append(contentsOf: inline.selectionSet.selections)
            case let spread as FragmentSpread:
                // A fragment spread twice on one path is a cycle (or a repeat): counted once.
                if visited.insert(spread.name.value).inserted, let fragment = fragments[spread.name.value] {
                    queue.append(contentsOf: fragment.selectionSet.selections)
                }
            default:
                continue
            }
        }
        return (fields, aliases, visited)
    }
}
