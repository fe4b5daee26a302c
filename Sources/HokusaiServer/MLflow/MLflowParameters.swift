import Foundation
import HokusaiCore
import Hummingbird

/// An MLflow request's parameters: the query string for GET (repeated keys become lists), the
/// JSON body for every other method, DELETE and PATCH included. Typed accessors reproduce the
/// reference server's validation messages.
struct MLflowParameters: Sendable {
    let values: [String: JSONAny]

    init(_ values: [String: JSONAny]) {
        self.values = values
    }

    static func parse(_ request: Request, context: HokusaiRequestContext) async throws -> MLflowParameters {
        if request.method == .get || request.method == .head {
            if let field = NULRefusal.parameterWithNUL(in: request.uri.query) {
                throw MLflowError.invalid(NULRefusal.message(field: field))
            }
            var values: [String: JSONAny] = [:]
            for (name, value) in FormQuery.items(request.uri.query) {
                let text = JSONAny.string(value)
                switch values[name] {
                case nil: values[name] = text
                case .array(let list)?: values[name] = .array(list + [text])
                case let existing?: values[name] = .array([existing, text])
                }
            }
            return MLflowParameters(values)
        }
        let buffer = try await RequestBodyReader.collect(request, upTo: JSONBody.maximumBytes * 8)
        let bytes = buffer.readableBytesView
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return MLflowParameters([:])
        }
        let parsed: JSONAny
        do {
            parsed = try JSONParser.parse(bytes)
        } catch {
            throw MLflowError.invalid("Malformed JSON in the request body: \(error)")
        }
        guard case .object(let object) = parsed else {
            throw MLflowError.invalid("The request body must be a JSON object")
        }
        if JSONAny.mayContainNUL(bytes), let path = parsed.pathOfNUL() {
            throw MLflowError.invalid(NULRefusal.message(field: path))
        }
        return MLflowParameters(object)
    }

    func raw(_ name: String) -> JSONAny? {
        guard let value = values[name], value != .null else { return nil }
        return value
    }

    func string(_ name: String) throws(MLflowError) -> String? {
        guard let value = raw(name) else { return nil }
        guard case .string(let text) = value else { throw Self.invalid(value, name) }
        return text
    }

    func requiredString(_ name: String) throws(MLflowError) -> String {
        guard let text = try string(name), !text.isEmpty else { throw .missing(name) }
        return text
    }

    /// `run_id`, or the older `run_uuid` the client sends beside it.
    func runId() throws(MLflowError) -> String {
        if let id = try string("run_id"), !id.isEmpty { return id }
        if let id = try string("run_uuid"), !id.isEmpty { return id }
        throw .missing("run_id")
    }

    /// int64 as a JSON number or a string of digits, as proto JSON allows.
    func int64(_ name: String) throws(MLflowError) -> Int64? {
        guard let value = raw(name) else { return nil }
        return try Self.int64(value, name: name)
    }

    func int(_ name: String) throws(MLflowError) -> Int? {
        try int64(name).map { Int(clamping: $0) }
    }

    func bool(_ name: String) throws(MLflowError) -> Bool? {
        guard let value = raw(name) else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .string("true"), .string("True"): return true
        case .string("false"), .string("False"): return false
        default: throw Self.invalid(value, name)
        }
    }

    /// The list under `name`; a single value counts as a one-element list (a GET with one repeated key).
    func list(_ name: String) throws(MLflowError) -> [JSONAny] {
        guard let value = raw(name) else { return [] }
        if case .array(let items) = value { return items }
        if case .string = value { return [value] }
        throw Self.invalid(value, name)
    }

    func strings(_ name: String) throws(MLflowError) -> [String] {
        try list(name).map { item throws(MLflowError) -> String in
            guard case .string(let text) = item else { throw Self.invalid(item, name) }
            return text
        }
    }

    /// `[{key, value}]` lists (tags, params). A missing value is an empty string, as the reference stores it.
    func keyValues(_ name: String) throws(MLflowError) -> [KeyValue] {
        try list(name).enumerated().map { index, item throws(MLflowError) -> KeyValue in
            guard case .object(let fields) = item else { throw Self.invalid(item, name) }
            let element = MLflowParameters(fields)
            let key = try element.string("key")
            guard let key, !key.isEmpty else { throw .missing("\(name)[\(index)].key") }
            return KeyValue(key: key, value: try element.string("value") ?? "")
        }
    }

    /// `name` is made only for an error message: a batch converts thousands of values.
    static func int64(_ value: JSONAny, name: @autoclosure () -> String) throws(MLflowError) -> Int64 {
        switch value {
        case .int(let number): return number
        case .double(let number) where number.isFinite && abs(number) < 9.2e18: return Int64(number)
        case .string(let text):
            if let number = Int64(text) { return number }
            throw invalid(value, name())
        default: throw invalid(value, name())
        }
    }

    /// A double as a JSON number, a numeric string, or "NaN" / "Infinity" / "-Infinity".
    static func double(_ value: JSONAny, name: @autoclosure () -> String) throws(MLflowError) -> Double {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .string(let text):
            switch text {
            case "NaN", "nan": return .nan
            case "Infinity", "inf": return .infinity
            case "-Infinity", "-inf": return -.infinity
            default:
                if let number = Double(text) { return number }
                throw invalid(value, name())
            }
        default: throw invalid(value, name())
        }
    }

    static func invalid(_ value: JSONAny, _ name: String) -> MLflowError {
        .invalid("Invalid value \(value.shown) for parameter '\(name)' supplied")
    }
}
