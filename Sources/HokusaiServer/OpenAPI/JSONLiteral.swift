import HokusaiCore

/// A `JSONValue` written as a Swift literal, for the OpenAPI document's schemas: object fields
/// keep the order they are written in. Kept out of `JSONValue` itself so that literals elsewhere
/// never become ambiguous.
struct JSONLiteral: Sendable, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral
{
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }
    init(dictionaryLiteral elements: (String, JSONLiteral)...) { value = .object(elements.map { ($0.0, $0.1.value) }) }
    init(arrayLiteral elements: JSONLiteral...) { value = .array(elements.map(\.value)) }
    init(stringLiteral text: String) { value = .string(text) }
    init(booleanLiteral flag: Bool) { value = .bool(flag) }
    init(integerLiteral number: Int) { value = .int(number) }

    /// The fields of an object literal (empty for anything else).
    var fields: [(String, JSONValue)] {
        if case .object(let fields) = value { return fields }
        return []
    }
}

/// JSON Schema (2020-12, as OpenAPI 3.1 uses it) in a few words.
enum Schema {
    static let string: JSONLiteral = ["type": "string"]
    static let integer: JSONLiteral = ["type": "integer"]
    static let number: JSONLiteral = ["type": "number"]
    static let boolean: JSONLiteral = ["type": "boolean"]
    /// A 64-bit integer MLflow writes as a JSON string (protobuf JSON), as some clients send it too.
    static let int64: JSONLiteral = ["type": ["integer", "string"]]
    /// A metric value: a number, or `"NaN"`/`"Infinity"`/`"-Infinity"` as MLflow writes them.
    static let metricValue: JSONLiteral = ["type": ["number", "string"]]
    static let anything: JSONLiteral = [:]

    static func ref(_ name: String) -> JSONLiteral { ["$ref": JSONLiteral(.string("#/components/schemas/\(name)"))] }
    static func array(_ items: JSONLiteral) -> JSONLiteral { ["type": "array", "items": items] }
    static func nullable(_ schema: JSONLiteral) -> JSONLiteral {
        if case .string(let type)? = schema.fields.first(where: { $0.0 == "type" })?.1 {
            return JSONLiteral(
                .object(schema.fields.map { $0.0 == "type" ? ("type", .array([.string(type), .string("null")])) : $0 }))
        }
        return ["anyOf": [schema, ["type": "null"]]]
    }
    static func enumeration(_ values: [String]) -> JSONLiteral {
        ["type": "string", "enum": JSONLiteral(.array(values.map { .string($0) }))]
    }

    /// An object with these properties, of which `required` must be present. Other properties are
    /// allowed: clients must tolerate fields added later, as MLflow's do.
    static func object(required: [String] = [], _ properties: KeyValuePairs<String, JSONLiteral>) -> JSONLiteral {
        var fields: [(String, JSONValue)] = [("type", .string("object"))]
        if !properties.isEmpty { fields.append(("properties", .object(properties.map { ($0.key, $0.value.value) }))) }
        if !required.isEmpty { fields.append(("required", .array(required.map { .string($0) }))) }
        return JSONLiteral(.object(fields))
    }
    static func object(required: [String] = []) -> JSONLiteral { object(required: required, [:]) }
    /// `{ "key": "value", … }` with string values.
    /// What the server's rules accept, so generated requests get past validation to the logic.
    static let name: JSONLiteral = ["type": "string", "pattern": "^[A-Za-z0-9_.-][A-Za-z0-9_. -]{0,99}$"]
    static let alias: JSONLiteral = ["type": "string", "pattern": "^[A-Za-z0-9_-]{1,100}$"]
    static let stage = enumeration(["None", "Staging", "Production", "Archived"])
    static let runId: JSONLiteral = ["type": "string", "pattern": "^[0-9a-f]{32}$"]
    static let experimentId: JSONLiteral = ["type": "string", "pattern": "^[0-9]{1,18}$"]
    static let versionNumber: JSONLiteral = ["type": "string", "pattern": "^[1-9][0-9]{0,8}$"]
    /// Tag, parameter and metric keys: MLflow's name rule.
    static let entryKey: JSONLiteral = ["type": "string", "pattern": "^[A-Za-z0-9_. :/-]{1,250}$"]
    static let maxResults: JSONLiteral = ["type": "integer", "minimum": 1, "maximum": 1000]

    static func pathParameter(_ name: String) -> JSONLiteral {
        name == "version" ? versionNumber : Schema.name
    }

    static let stringMap: JSONLiteral = ["type": "object", "additionalProperties": ["type": "string"]]
}
