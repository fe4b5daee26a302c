import Foundation

/// One thing wrong with a request field: which field, and the rule it broke.
public struct FieldProblem: Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let rule: String

    public init(_ field: String, _ rule: String) {
        self.field = field
        self.rule = rule
    }

    public var description: String { "\(field): \(rule)" }
}

/// Every problem of one request: answered together as one 422.
public struct FieldProblems: Error, Sendable, Equatable {
    public let problems: [FieldProblem]

    public init(_ problems: [FieldProblem]) { self.problems = problems }

    public var summary: String { problems.map(\.description).joined(separator: "; ") }
}

/// Reads typed fields from a JSON object, collecting every problem instead of stopping at the
/// first, so one 422 tells the client everything it has to fix.
public struct FieldReader {
    let body: [String: JSONAny]
    public private(set) var problems: [FieldProblem] = []

    public init(_ body: [String: JSONAny]) { self.body = body }

    mutating func fail(_ field: String, _ rule: String) { problems.append(FieldProblem(field, rule)) }

    /// A string that must be present and non-blank; returned trimmed.
    public mutating func requiredString(_ field: String, maximumLength: Int = 500) -> String {
        guard let value = body[field], value != .null else {
            fail(field, "is required")
            return ""
        }
        return string(field, value, maximumLength: maximumLength) ?? ""
    }

    /// A string that may be absent; when present it must be non-blank.
    public mutating func optionalString(_ field: String, maximumLength: Int = 500) -> String? {
        guard let value = body[field], value != .null else { return nil }
        return string(field, value, maximumLength: maximumLength)
    }

    private mutating func string(_ field: String, _ value: JSONAny, maximumLength: Int) -> String? {
        guard case .string(let text) = value else {
            fail(field, "must be a string")
            return nil
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            fail(field, "must not be blank")
            return nil
        }
        if trimmed.count > maximumLength {
            fail(field, "must be at most \(maximumLength) characters")
            return nil
        }
        if trimmed.contains("\u{0}") {
            fail(field, "must not contain NUL characters")
            return nil
        }
        return trimmed
    }

    /// A finite number; absent is nil (and a problem when `required`).
    public mutating func number(_ field: String, required: Bool) -> Double? {
        guard let value = body[field], value != .null else {
            if required { fail(field, "is required") }
            return nil
        }
        let number: Double
        switch value {
        case .int(let integer): number = Double(integer)
        case .double(let double): number = double
        default:
            fail(field, "must be a number")
            return nil
        }
        guard number.isFinite else {
            fail(field, "must be a finite number")
            return nil
        }
        return number
    }

    /// A model version: a positive integer, sent as a string ("3") or a number.
    public mutating func version(_ field: String) -> String {
        switch body[field] {
        case nil, .null?:
            fail(field, "is required")
        case .int(let number)? where number > 0:
            return String(number)
        case .string(let text)? where Int64(text.trimmingCharacters(in: .whitespaces)).map({ $0 > 0 }) == true:
            return text.trimmingCharacters(in: .whitespaces)
        default:
            fail(field, "must be a model version number such as \"3\"")
        }
        return ""
    }

    /// A boolean that may be absent (then `false`); `"true"` and 1 are not booleans.
    public mutating func optionalBool(_ field: String) -> Bool {
        switch body[field] {
        case nil, .null?: return false
        case .bool(let value)?: return value
        default:
            fail(field, "must be true or false")
            return false
        }
    }

    public mutating func object(_ field: String) -> [String: JSONAny]? {
        guard let value = body[field], value != .null else { return nil }
        guard case .object(let object) = value else {
            fail(field, "must be a JSON object")
            return nil
        }
        return object
    }

    /// A map of string to string (tags, metadata). Non-string values are refused, naming the key.
    public mutating func stringMap(_ field: String) -> [String: String] {
        guard let object = object(field) else { return [:] }
        var result: [String: String] = [:]
        for (key, value) in object {
            guard case .string(let text) = value else {
                fail("\(field).\(key)", "must be a string")
                continue
            }
            result[key] = text
        }
        return result
    }

    public mutating func record(_ problem: FieldProblem) { problems.append(problem) }
}
