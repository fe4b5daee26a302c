/// A JSON value for bodies whose fields vary (error extras), encoded without reflection.
public enum JSONValue: Encodable, Sendable, Equatable {
    case string(String)
    case int(Int)
    case int64(Int64)
    /// NaN is written as the string "NaN", as MLflow's protobuf JSON does; ±infinity as strings too.
    case double(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([(String, JSONValue)])
    case null

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
        default: false
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .int64(let value): try container.encode(value)
        case .double(let value):
            if value.isNaN {
                try container.encode("NaN")
            } else if value.isInfinite {
                try container.encode(value > 0 ? "Infinity" : "-Infinity")
            } else {
                try container.encode(value)
            }
        case .bool(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let fields): try container.encode(OrderedJSONObject(fields: fields))
        case .null: try container.encodeNil()
        }
    }
}

/// An object with string keys whose order is kept as written, so error bodies read naturally.
struct OrderedJSONObject: Encodable {
    var fields: [(String, JSONValue)]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        for (key, value) in fields {
            try container.encode(value, forKey: DynamicKey(key))
        }
    }

    struct DynamicKey: CodingKey {
        let stringValue: String
        init(_ string: String) { self.stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}
