/// Any JSON value as the request sent it, keeping integers apart from doubles and booleans apart
/// from numbers, so each MLflow parameter can be checked for its type and the reference
/// server's messages reproduced ("Invalid value 31 for parameter 'run_id' supplied").
public enum JSONAny: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONAny])
    case object([String: JSONAny])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONAny].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONAny].self))
        }
    }

    /// The value as Python's reference server prints it in messages: strings quoted.
    public var shown: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): "\"\(value)\""
        case .array: "[...]"
        case .object: "{...}"
        }
    }
}

extension JSONAny {
    /// The same value for `JSONWriter`; object keys sorted, so the output is stable.
    public var jsonValue: JSONValue {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int(let number): .int64(number)
        case .double(let number): .double(number)
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(\.jsonValue))
        case .object(let fields): .object(fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value.jsonValue) })
        }
    }
}
