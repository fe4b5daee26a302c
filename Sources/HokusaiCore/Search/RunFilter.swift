/// A parsed run search filter: clauses joined by AND.
public struct RunFilter: Sendable, Equatable {
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
        public static let paramOrTag: [Comparator] = [.equal, .notEqual, .like, .ilike, .isNull, .isNotNull]
        public static let stringAttribute: [Comparator] = [.equal, .notEqual, .like, .ilike, .in, .notIn]
    }

    /// What a clause or an ordering is about.
    public enum Subject: Sendable, Equatable, Hashable {
        case metric(String)
        case param(String)
        case tag(String)
        case attribute(RunAttribute)
        case dataset(DatasetField)
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
    }
}

/// Run attributes a filter or an ordering may name.
public enum RunAttribute: String, Sendable, Equatable, Hashable, CaseIterable {
    case runId = "run_id"
    case runName = "run_name"
    case status
    case userId = "user_id"
    case artifactURI = "artifact_uri"
    case startTime = "start_time"
    case endTime = "end_time"
    /// An alias of `start_time`.
    case created

    public var isNumeric: Bool { self == .startTime || self == .endTime || self == .created }

    /// Accepts the aliases the reference accepts (`"run name"`, `"Run Name"`, `run_uuid`?).
    public init?(name: String) {
        switch name {
        case "run name", "Run Name", "run_name": self = .runName
        case "run_id", "run_uuid": self = .runId
        default:
            guard let attribute = RunAttribute(rawValue: name) else { return nil }
            self = attribute
        }
    }

    static var validNames: String { allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ") }
}

public enum DatasetField: String, Sendable, Equatable, Hashable, CaseIterable {
    case name, digest, context
}
