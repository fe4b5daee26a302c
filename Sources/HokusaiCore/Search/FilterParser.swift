/// Parses MLflow's search filters (`metrics.loss < 0.5 AND params.model = 'cnn'`) and order_by
/// clauses for the entity a `FilterSchema` describes, applying its rules for which comparators and
/// values each kind of key takes. Messages follow the reference server's.
public enum FilterParser {
    public static func parse(_ filter: String?, schema: FilterSchema) throws(MLflowError) -> SearchFilter {
        guard let filter, !filter.allSatisfy(\.isWhitespace) else { return SearchFilter() }
        var cursor = FilterCursor(tokens: try FilterTokenizer.tokenize(filter), text: filter)
        var clauses: [SearchFilter.Clause] = []
        while true {
            let subject = try resolve(try cursor.subject(), schema: schema)
            let comparator = try cursor.comparator()
            let value = try cursor.value(for: comparator)
            clauses.append(try validated(SearchFilter.Clause(subject: subject, comparator: comparator, value: value), schema))
            guard let next = cursor.next() else { break }
            guard case .word(let word) = next, word.uppercased() == "AND" else {
                throw .invalid("Invalid clause(s) in filter string: '\(FilterCursor.describe(next))'")
            }
        }
        return SearchFilter(clauses: clauses)
    }

    /// One `order_by` entry: a key and an optional ASC/DESC.
    public static func ordering(_ clause: String, schema: FilterSchema) throws(MLflowError) -> SearchOrdering {
        var cursor = FilterCursor(tokens: try FilterTokenizer.tokenize(clause), text: clause)
        let subject = try resolve(try cursor.subject(), schema: schema)
        var ascending = true
        if let next = cursor.next() {
            guard case .word(let word) = next, ["ASC", "DESC"].contains(word.uppercased()), cursor.next() == nil else {
                throw .invalid("Invalid order_by clause '\(clause)'. Could not be parsed.")
            }
            ascending = word.uppercased() == "ASC"
        }
        if case .dataset = subject {
            throw .invalid("Invalid order_by clause '\(clause)': datasets cannot be ordered by")
        }
        return SearchOrdering(subject: subject, ascending: ascending)
    }

    /// Maps `prefix.name` (or a bare name, an attribute) to a subject the schema allows.
    static func resolve(_ raw: FilterCursor.RawSubject, schema: FilterSchema) throws(MLflowError) -> SearchFilter.Subject {
        guard let prefix = raw.prefix else { return try attribute(raw.name, schema) }
        let subject: SearchFilter.Subject
        let kind: FilterSchema.Prefix
        switch prefix.lowercased() {
        case "metric", "metrics": (subject, kind) = (.metric(raw.name), .metric)
        case "param", "params", "parameter", "parameters": (subject, kind) = (.param(raw.name), .param)
        case "tag", "tags": (subject, kind) = (.tag(raw.name), .tag)
        case "attribute", "attributes", "attr", "run": (subject, kind) = (try attribute(raw.name, schema), .attribute)
        case "dataset", "datasets":
            guard let field = DatasetField(rawValue: raw.name) else {
                throw .invalid("Invalid dataset key '\(raw.name)'. Valid keys are 'name', 'digest', 'context'")
            }
            (subject, kind) = (.dataset(field), .dataset)
        default:
            throw .invalid(
                "Invalid entity type '\(prefix)'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']")
        }
        guard schema.prefixes.contains(kind) else {
            throw .invalid("Searching \(schema.entityName) by \(subject.kindName)s is not supported")
        }
        return subject
    }

    static func attribute(_ name: String, _ schema: FilterSchema) throws(MLflowError) -> SearchFilter.Subject {
        guard let canonical = schema.canonicalAttribute(name) else {
            throw .invalid("Invalid attribute key '\(name)' specified. Valid keys are [\(schema.validAttributeNames)]")
        }
        return .attribute(canonical)
    }

    static func validated(_ clause: SearchFilter.Clause, _ schema: FilterSchema) throws(MLflowError) -> SearchFilter.Clause {
        func require(_ allowed: [SearchFilter.Comparator], _ what: String) throws(MLflowError) {
            guard allowed.contains(clause.comparator) else {
                let names = allowed.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                throw .invalid("Invalid comparator '\(clause.comparator.rawValue)' not one of [\(names)] for \(what)")
            }
        }
        func requireString(_ what: String) throws(MLflowError) {
            if case .number(let number) = clause.value {
                throw .invalid("Expected a quoted string value for \(what) (e.g. 'my-value'). Got value \(format(number))")
            }
        }
        switch clause.subject {
        case .metric:
            try require(SearchFilter.Comparator.numeric, "metrics")
            guard case .number = clause.value else {
                throw .invalid("Expected numeric value type for metric. Found \(describe(clause.value))")
            }
        case .param, .tag:
            try require(schema.keyValueComparators, clause.subject.kindName)
            try requireString(clause.subject.kindName)
        case .attribute(let name) where schema.isNumeric(name):
            try require(SearchFilter.Comparator.numeric, "numeric attributes")
            guard case .number = clause.value else {
                throw .invalid("Expected numeric value type for numeric attribute: \(name). Found \(describe(clause.value))")
            }
        case .attribute(let name):
            try require(SearchFilter.Comparator.string, "string attributes")
            if clause.comparator == .in || clause.comparator == .notIn, !schema.listAttributes.contains(name) {
                let names = schema.listAttributes.sorted().map { "'\($0)'" }.joined(separator: ", ")
                throw .invalid("Only [\(names)] attributes support comparison with a list of quoted string values.")
            }
            try requireString("attribute")
        case .dataset:
            try require(SearchFilter.Comparator.string, "datasets")
            try requireString("dataset")
        }
        return clause
    }

    static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    static func describe(_ value: SearchFilter.Value) -> String {
        switch value {
        case .number(let number): format(number)
        case .string(let text): "'\(text)'"
        case .list(let items): "(" + items.map { "'\($0)'" }.joined(separator: ", ") + ")"
        case .none: "no value"
        }
    }
}
