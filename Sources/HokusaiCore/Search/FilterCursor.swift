/// Walks the tokens of one filter or order_by clause.
struct FilterCursor {
    /// A key as written: `prefix.name`, or a bare name (an attribute).
    struct RawSubject: Equatable {
        let prefix: String?
        let name: String
    }

    let tokens: [FilterToken]
    let text: String
    var position = 0

    init(tokens: [FilterToken], text: String) {
        self.tokens = tokens
        self.text = text
    }

    mutating func next() -> FilterToken? {
        guard position < tokens.count else { return nil }
        defer { position += 1 }
        return tokens[position]
    }

    func peek(_ offset: Int = 0) -> FilterToken? {
        position + offset < tokens.count ? tokens[position + offset] : nil
    }

    /// `prefix.name`, ``prefix.`quoted name` ``, `prefix.dotted.name`, or a bare (possibly quoted) name.
    mutating func subject() throws(MLflowError) -> RawSubject {
        guard let first = next() else { throw .invalid("Invalid filter '\(text)': a key is missing") }
        let head: String
        switch first {
        case .word(let word): head = word
        case .quotedIdentifier(let name, _): head = name
        default: throw .invalid("Invalid filter '\(text)': expected a key, found \(Self.describe(first))")
        }
        guard case .dot? = peek(), case .word = first else {
            return RawSubject(prefix: nil, name: head)
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
        return RawSubject(prefix: head, name: name)
    }

    mutating func comparator() throws(MLflowError) -> SearchFilter.Comparator {
        guard let token = next() else { throw .invalid("Invalid filter '\(text)': a comparator is missing") }
        switch token {
        case .comparator(let symbol):
            guard let comparator = SearchFilter.Comparator(rawValue: symbol) else {
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

    mutating func value(for comparator: SearchFilter.Comparator) throws(MLflowError) -> SearchFilter.Value {
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
