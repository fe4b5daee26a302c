import Foundation

/// The model registry's input rules and messages (`mlflow/utils/validation.py`, the registry's
/// SQL store), plus the two the reference server lacked: names are refused when they only differ
/// from a sensible one by surrounding spaces or percent-encoding (CVE-2024-3099), and by length.
public enum RegistryRules {
    public static let maxNameLength = 256
    public static let maxTagKeyLength = 250
    public static let maxTagValueLength = 100_000
    public static let maxAliasLength = 255
    public static let maxDescriptionLength = 100_000

    public static func validateModelName(_ name: String) throws(MLflowError) {
        guard !name.isEmpty else { throw .missing("name") }
        guard !name.contains("/"), !name.contains(":") else {
            throw .invalid("Invalid model name '\(name)'. Names cannot contain '/' or ':'.")
        }
        guard name != ".", name != ".." else { throw .invalid("Invalid model name '\(name)'. Names cannot be '.' or '..'.") }
        guard name.count <= maxNameLength else {
            throw .invalid("'name' exceeds the maximum length of \(maxNameLength) characters")
        }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalid("Invalid model name: it contains a control character")
        }
        guard name.first?.isWhitespace == false, name.last?.isWhitespace == false else {
            throw .invalid("Invalid model name '\(name)'. Names cannot start or end with whitespace.")
        }
        if let decoded = name.removingPercentEncoding, decoded != name {
            throw .invalid("Invalid model name '\(name)'. Names cannot contain percent-encoded characters.")
        }
    }

    public static func validateTag(_ tag: KeyValue, of entity: String) throws(MLflowError) {
        guard !tag.key.isEmpty else { throw .missing("key") }
        try TrackingNames.validateKey(tag.key, entity: .tag)
        guard tag.value.count <= maxTagValueLength else {
            throw .invalid("'\(entity) tag value' exceeds the maximum length of \(maxTagValueLength) characters")
        }
        try validateText(tag.value, field: "value")
    }

    /// A description: bounded, and without NUL (which the reference refuses in every text field).
    public static func validateDescription(_ description: String?) throws(MLflowError) {
        guard let description else { return }
        guard description.count <= maxDescriptionLength else {
            throw .invalid("'description' exceeds the maximum length of \(maxDescriptionLength) characters")
        }
        try validateText(description, field: "description")
    }

    static func validateText(_ text: String, field: String) throws(MLflowError) {
        guard !text.contains("\u{0}") else { throw .invalid("'\(field)' must not contain NUL characters") }
    }

    public static func validateAlias(_ alias: String) throws(MLflowError) {
        guard !alias.isEmpty else { throw .missing("alias") }
        guard alias.count <= maxAliasLength else {
            throw .invalid("'alias' exceeds the maximum length of \(maxAliasLength) characters")
        }
        guard
            alias.unicodeScalars.allSatisfy({
                $0 == "_" || $0 == "-" || $0.properties.isAlphabetic || $0.properties.numericType != nil
            })
        else {
            throw .invalid(
                "Invalid alias name: '\(alias)'. Aliases may only contain alphanumerics, underscores (_), and dashes (-).")
        }
        if alias.lowercased() == "latest" {
            throw .invalid("'latest' alias name (case insensitive) is reserved.")
        }
        if alias.hasPrefix("v"), alias.count > 1, alias.dropFirst().allSatisfy(\.isASCIIDigit) {
            throw .invalid("Version alias name '\(alias)' is reserved.")
        }
    }

    /// A version number from its wire form (a string, or a number).
    public static func version(_ text: String) throws(MLflowError) -> Int64 {
        guard let number = Int64(text), number > 0 else { throw .invalid("Parameter 'version' must be an integer") }
        return number
    }
}

/// A model version's stage. Accepted case-insensitively, written capitalised.
public enum ModelStage: String, Sendable, CaseIterable {
    case none = "None"
    case staging = "Staging"
    case production = "Production"
    case archived = "Archived"

    public init(parsing text: String) throws(MLflowError) {
        guard let stage = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            throw .invalid("Invalid Model Version stage: \(text). Value must be one of None, Staging, Production, Archived.")
        }
        self = stage
    }

    /// Stages that `archive_existing_versions` may archive into.
    public var isActive: Bool { self == .staging || self == .production }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
