/// MLflow's rules for metric, param and tag keys, and for value lengths
/// (`mlflow/utils/validation.py`), with its messages.
public enum TrackingNames {
    public static let maxEntityKeyLength = 250
    public static let maxParamValueLength = 6000
    public static let maxTagValueLength = 8000
    public static let maxExperimentNameLength = 500
    public static let maxExperimentTagKeyLength = 250
    public static let maxExperimentTagValueLength = 20000

    /// What a key names, for messages: "Param key", "Invalid metric name".
    public enum Entity: String, Sendable {
        case metric, param, tag

        var title: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
    }

    /// Checks a metric, param or tag key.
    public static func validateKey(_ key: String, entity: Entity) throws(MLflowError) {
        if key.count > maxEntityKeyLength {
            throw .invalid("'\(entity.title) key' exceeds the maximum length of \(maxEntityKeyLength) characters")
        }
        if key.contains("\u{0}") {
            throw .invalid("Invalid \(entity.rawValue) name: '\(key)'. Names must not contain NUL characters.")
        }
        guard key.unicodeScalars.allSatisfy(isAllowed) else {
            throw .invalid(
                "Invalid \(entity.rawValue) name: '\(key)'. Names may only contain alphanumerics, underscores (_), "
                    + "dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).")
        }
        guard isNormalRelativePath(key) else {
            throw .invalid(
                "Invalid \(entity.rawValue) name: '\(key)'. Names may be treated as files in certain cases, "
                    + "and must not resolve to other names when treated as such.")
        }
    }

    /// `[/\w.\- :]` with `\w` meaning Unicode letters, digits and underscore, as Python's `re` has it.
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "/", ".", "-", " ", ":", "_": return true
        case "a"..."z", "A"..."Z", "0"..."9": return true
        case _ where scalar.isASCII: return false
        default:
            let properties = scalar.properties
            return properties.isAlphabetic || properties.numericType != nil
        }
    }

    /// True when the key, read as a path, is relative and already normalised (`os.path.normpath(key) == key`).
    static func isNormalRelativePath(_ key: String) -> Bool {
        if key.isEmpty { return true }
        if key.hasPrefix("/") { return false }
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        return !parts.contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }

    /// Values longer than the limit are cut to it, as the reference server does by default
    /// (`MLFLOW_TRUNCATE_LONG_VALUES=true`).
    public static func truncated(_ value: String, limit: Int) -> String {
        value.count > limit ? String(value.prefix(limit)) : value
    }
}
