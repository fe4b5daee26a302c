/// Parses MLflow's run search filter (`metrics.loss < 0.5 AND params.model = 'cnn'`) and order_by
/// clauses, with the reference's rules for which comparators and values each kind of key takes.
public enum RunFilterParser {
    public static func parse(_ filter: String?) throws(MLflowError) -> RunFilter {
        guard let filter, !filter.allSatisfy(\.isWhitespace) else { return RunFilter() }
        var cursor = Cursor(tokens: try FilterTokenizer.tokenize(filter), text: filter)
        var clauses: [RunFilter.Clause] = []
        while true {
            let subject = try cursor.subject()
            let comparator = try cursor.comparator()
            let value = try cursor.value(for: comparator)
            clauses.append(try validated(RunFilter.Clause(subject: subject, comparator: comparator, value: value)))
            guard let next = cursor.next() else { break }
            guard case .word(let word) = next, word.uppercased() == "AND" else {
                throw .invalid("Invalid clause(s) in filter string: '\(Cursor.describe(next))'")
            }
        }
        return RunFilter(clauses: clauses)
    }

    /// One `order_by` entry: a key and an optional ASC/DESC.
    public static func ordering(_ clause: String) throws(MLflowError) -> RunOrdering {
        var cursor = Cursor(tokens: try FilterTokenizer.tokenize(clause), text: clause)
        let subject = try cursor.subject()
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
        return RunOrdering(subject: subject, ascending: ascending)
    }

    static func validated(_ clause: RunFilter.Clause) throws(MLflowError) -> RunFilter.Clause {
        func require(_ allowed: [RunFilter.Comparator], _ what: String) throws(MLflowError) {
            guard allowed.contains(clause.comparator) else {
                let names = allowed.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                throw .invalid("Invalid comparator '\(clause.comparator.rawValue)' not one of [\(names)] for \(what)")
            }
        }
        func requireString(_ what: String) throws(MLflowError) {
            switch clause.value {
            case .string, .list, .none: return
            case .number(let number):
                throw .invalid("Expected a quoted string value for \(what) (e.g. 'my-value'). Got value \(format(number))")
            }
        }
        switch clause.subject {
        case .metric:
            try require(RunFilter.Comparator.numeric, "metrics")
            guard case .number = clause.value else {
                throw .invalid("Expected numeric value type for metric. Found \(describe(clause.value))")
            }
        case .param, .tag:
            try require(RunFilter.Comparator.paramOrTag, clause.subject.kindName)
            try requireString(clause.subject.kindName)
        case .attribute(let attribute) where attribute.isNumeric:
            try require(RunFilter.Comparator.numeric, "numeric attributes")
            guard case .number = clause.value else {
                throw .invalid(
                    "Expected numeric value type for numeric attribute: \(attribute.rawValue). Found \(describe(clause.value))")
            }
        case .attribute(let attribute):
            try require(RunFilter.Comparator.stringAttribute, "string attributes")
            if clause.comparator == .in || clause.comparator == .notIn, attribute != .runId {
                throw .invalid("Only ['run_id'] attributes support comparison with a list of quoted string values.")
            }
            try requireString("attribute")
        case .dataset:
            try require(RunFilter.Comparator.stringAttribute, "datasets")
            try requireString("dataset")
        }
        return clause
    }

    static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    static func describe(_ value: RunFilter.Value) -> String {
        switch value {
        case .number(let number): format(number)
        case .string(let text): "'\(text)'"
        case .list(let items): "(" + items.map { "'\($0)'" }.joined(separator: ", ") + ")"
        case .none: "no value"
        }
    }
}

/// One `order_by` entry, parsed.
public struct RunOrdering: Sendable, Equatable {
    public var subject: RunFilter.Subject
    public var ascending: Bool

    public init(subject: RunFilter.Subject, ascending: Bool) {
        self.subject = subject
        self.ascending = ascending
    }
}

extension RunFilter.Subject {
    var kindName: String {
        switch self {
        case .metric: "metric"
        case .param: "param"
        case .tag: "tag"
        case .attribute: "attribute"
        case .dataset: "dataset"
        }
    }
}

/// Walks the tokens of one filter or order_by clause.
private struct Cursor {
    let tokens: [FilterToken]
    let text: String
    var position = 0

    mutating func next() -> FilterToken? {
        guard position < tokens.count else { return nil }
        defer { position += 1 }
        return tokens[position]
    }

    func peek(_ offset: Int = 0) -> FilterToken? {
        position + offset < tokens.count ? tokens[position + offset] : nil
    }

    /// `prefix.name`, ``prefix.`quoted name` ``, or a bare (possibly quoted) attribute name.
    mutating func subject() throws(MLflowError) -> RunFilter.Subject {
        guard let first = next() else { throw .invalid("Invalid filter '\(text)': a key is missing") }
        let head: String
        switch first {
        case .word(let word): head = word
        case .quotedIdentifier(let name, _): head = name
        default: throw .invalid("Invalid filter '\(text)': expected a key, found \(Self.describe(first))")
        }
        guard case .dot? = peek(), case .word = first else {
            return try attribute(head)
        }
        _ = next()
        var parts: [String] = []
        loop: while let token = peek() {
            let expectingWord = parts.isEmpty || parts.last == "."
            switch token {
            case .word(let word) where expectingWord:
                parts.append(word)
            case .quotedIdentifier(let name, _) where parts.isEmpty:
                parts.append(name)
                position += 1
                break loop
            case .dot where !expectingWord:
                parts.append(".")
            default:
                break loop
            }
            position += 1
        }
        let name = parts.joined()
        guard !name.isEmpty else { throw .invalid("Invalid filter '\(text)': the key after '\(head).' is missing") }
        switch head.lowercased() {
        case "metric", "metrics": return .metric(name)
        case "param", "params", "parameter", "parameters": return .param(name)
        case "tag", "tags": return .tag(name)
        case "attribute", "attributes", "attr", "run": return try attribute(name)
        case "dataset", "datasets":
            guard let field = DatasetField(rawValue: name) else {
                throw .invalid("Invalid dataset key '\(name)'. Valid keys are 'name', 'digest', 'context'")
            }
            return .dataset(field)
        default:
            throw .invalid(
                "Invalid entity type '\(head)'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']")
        }
    }

    func attribute(_ name: String) throws(MLflowError) -> RunFilter.Subject {
        guard let attribute = RunAttribute(name: name) else {
            throw .invalid("Invalid attribute key '\(name)' specified. Valid keys are [\(RunAttribute.validNames)]")
        }
        return .attribute(attribute)
    }

    mutating func comparator() throws(MLflowError) -> RunFilter.Comparator {
        guard let token = next() else { throw .invalid("Invalid filter '\(text)': a comparator is missing") }
        switch token {
        case .comparator(let symbol):
            guard let comparator = RunFilter.Comparator(rawValue: symbol) else {
                throw .invalid("Invalid comparator '\(symbol)'")
            }
            return comparator
        case .word(let word):
            switch word.uppercased() {
            case "LIKE": return .like
            case "ILIKE": return .ilike
            case "IN": return .in
            case "NOT":
                guard case .word(let following)? = next(), following.uppercased() == "IN" else {
                    throw .invalid("Invalid filter '\(text)': NOT may only be used as NOT IN")
                }
                return .notIn
            case "IS":
                var negated = false
                var following = next()
                if case .word(let not)? = following, not.uppercased() == "NOT" {
                    negated = true
                    following = next()
                }
                guard case .word(let null)? = following, null.uppercased() == "NULL" else {
                    throw .invalid("Invalid filter '\(text)': IS must be followed by NULL or NOT NULL")
                }
                return negated ? .isNotNull : .isNull
            default: break
            }
        default: break
        }
        throw .invalid("Invalid comparator \(Self.describe(token)) in filter '\(text)'")
    }

    mutating func value(for comparator: RunFilter.Comparator) throws(MLflowError) -> RunFilter.Value {
        if comparator == .isNull || comparator == .isNotNull { return .none }
        if comparator == .in || comparator == .notIn {
            guard case .openParen? = next() else {
                throw .invalid("Invalid filter '\(text)': \(comparator.rawValue) needs a list such as ('a', 'b')")
            }
            var items: [String] = []
            while let token = next() {
                switch token {
                case .string(let item), .quotedIdentifier(let item, "\""): items.append(item)
                case .comma: continue
                case .closeParen: return .list(items)
                default: throw .invalid("Only quoted string values are allowed in a list, found \(Self.describe(token))")
                }
            }
            throw .invalid("Invalid filter '\(text)': the list is not closed with ')'")
        }
        guard let token = next() else { throw .invalid("Invalid filter '\(text)': a value is missing") }
        switch token {
        case .string(let value), .quotedIdentifier(let value, "\""): return .string(value)
        case .word(let word):
            guard let number = Double(word) else {
                throw .invalid("Invalid filter '\(text)': the value \(word) must be a number or a quoted string")
            }
            return .number(number)
        default:
            throw .invalid("Invalid filter '\(text)': expected a value, found \(Self.describe(token))")
        }
    }

    static func describe(_ token: FilterToken) -> String {
        switch token {
        case .word(let word): word
        case .quotedIdentifier(let name, let quote): "\(quote)\(name)\(quote)"
        case .string(let value): "'\(value)'"
        case .comparator(let symbol): symbol
        case .openParen: "("
        case .closeParen: ")"
        case .comma: ","
        case .dot: "."
        }
    }
}
