/// A JSON value built by hand (MLflow responses, error bodies) and written by `JSONWriter`, which
/// keeps object fields in the order they were built.
public enum JSONValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case int64(Int64)
    /// NaN is written as the string "NaN", as MLflow's protobuf JSON does; ±infinity as strings too.
    case double(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([(String, JSONValue)])
    case null
    /// JSON already written (`JSONOutput`), copied into the answer as it is.
    case encoded([UInt8])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.int64(let a), .int64(let b)): a == b
        case (.double(let a), .double(let b)): a == b || (a.isNaN && b.isNaN)
        case (.bool(let a), .bool(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        case (.null, .null): true
        case (.encoded(let a), .encoded(let b)): a == b
        default: false
        }
    }
}
