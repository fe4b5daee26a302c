/// A parsed search filter (clauses joined by AND) for runs, logged models or experiments.
public struct SearchFilter: Sendable, Equatable {
    public var clauses: [Clause]

    public init(clauses: [Clause] = []) { self.clauses = clauses }

    public enum Comparator: String, Sendable, Equatable {
        case equal = "="
        case notEqual = "!="
        case greater = ">"
        case greaterOrEqual = ">="
        case less = "<"
        case lessOrEqual = "<="
        case like = "LIKE"
        case ilike = "ILIKE"
        case `in` = "IN"
        case notIn = "NOT IN"
        case isNull = "IS NULL"
        case isNotNull = "IS NOT NULL"

        public static let numeric: [Comparator] = [.equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual]
        public static let string: [Comparator] = [.equal, .notEqual, .like, .ilike, .in, .notIn]
    }

    /// What a clause or an ordering is about. Attributes carry their canonical name.
    public enum Subject: Sendable, Equatable, Hashable {
        case metric(String)
        case param(String)
        case tag(String)
        case attribute(String)
        case dataset(DatasetField)

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

    public enum Value: Sendable, Equatable {
        case number(Double)
        case string(String)
        case list([String])
        case none
    }

    public struct Clause: Sendable, Equatable {
        public var subject: Subject
        public var comparator: Comparator
        public var value: Value

        public init(subject: Subject, comparator: Comparator, value: Value) {
            self.subject = subject
            self.comparator = comparator
            self.value = value
        }
    }
}

/// One `order_by` entry, parsed.
public struct SearchOrdering: Sendable, Equatable {
    public var subject: SearchFilter.Subject
    public var ascending: Bool

    public init(subject: SearchFilter.Subject, ascending: Bool) {
        self.subject = subject
        self.ascending = ascending
    }
}

public enum DatasetField: String, Sendable, Equatable, Hashable, CaseIterable {
    case name, digest, context
}
