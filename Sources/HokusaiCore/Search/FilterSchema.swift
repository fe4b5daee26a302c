/// What one kind of entity can be searched by: its attributes (with aliases and types), which
/// prefixes it has, and the comparators each kind of key takes. The grammar is shared; the
/// schemas hold the differences between runs, logged models and experiments.
public struct FilterSchema: Sendable {
    public let entityName: String
    /// Canonical attribute name → numeric or not.
    let numericAttributes: Set<String>
    let stringAttributes: Set<String>
    /// Alias → canonical name.
    let aliases: [String: String]
    /// String attributes that accept `IN` / `NOT IN`.
    let listAttributes: Set<String>
    let prefixes: Set<Prefix>
    /// Comparators for params and tags.
    let keyValueComparators: [SearchFilter.Comparator]

    enum Prefix: Sendable, Hashable { case metric, param, tag, attribute, dataset }

    public func canonicalAttribute(_ name: String) -> String? {
        let canonical = aliases[name] ?? name
        return numericAttributes.contains(canonical) || stringAttributes.contains(canonical) ? canonical : nil
    }

    public func isNumeric(_ attribute: String) -> Bool { numericAttributes.contains(attribute) }

    var validAttributeNames: String {
        (numericAttributes.union(stringAttributes)).sorted().map { "'\($0)'" }.joined(separator: ", ")
    }

    public static let runs = FilterSchema(
        entityName: "runs",
        numericAttributes: ["start_time", "end_time", "created"],
        stringAttributes: ["run_id", "run_name", "status", "user_id", "artifact_uri"],
        aliases: ["run name": "run_name", "Run Name": "run_name", "run_uuid": "run_id"],
        listAttributes: ["run_id"],
        prefixes: [.metric, .param, .tag, .attribute, .dataset],
        keyValueComparators: [.equal, .notEqual, .like, .ilike, .isNull, .isNotNull])

    public static let loggedModels = FilterSchema(
        entityName: "logged models",
        numericAttributes: ["creation_timestamp", "last_updated_timestamp"],
        stringAttributes: ["name", "model_id", "model_type", "status", "source_run_id"],
        aliases: ["creation_time": "creation_timestamp", "last_updated_time": "last_updated_timestamp"],
        listAttributes: ["name", "model_id", "source_run_id", "status", "model_type"],
        prefixes: [.metric, .param, .tag, .attribute],
        keyValueComparators: [.equal, .notEqual, .like, .ilike])

    public static let experiments = FilterSchema(
        entityName: "experiments",
        numericAttributes: ["creation_time", "last_update_time", "experiment_id"],
        stringAttributes: ["name"],
        aliases: [:],
        listAttributes: [],
        prefixes: [.tag, .attribute],
        keyValueComparators: [.equal, .notEqual, .like, .ilike, .isNull, .isNotNull])

    /// Registered models filter by name and tags only (`SearchModelUtils`).
    public static let registeredModels = FilterSchema(
        entityName: "registered models",
        numericAttributes: [],
        stringAttributes: ["name"],
        aliases: [:],
        listAttributes: ["name"],
        prefixes: [.tag, .attribute],
        keyValueComparators: [.equal, .notEqual, .like, .ilike])

    /// What registered models may be ordered by, which is more than they may be filtered by.
    public static let registeredModelOrdering = FilterSchema(
        entityName: "registered models",
        numericAttributes: ["creation_timestamp", "last_updated_timestamp"],
        stringAttributes: ["name"],
        aliases: ["timestamp": "creation_timestamp"],
        listAttributes: [],
        prefixes: [.attribute],
        keyValueComparators: [])

    /// Model versions (`SearchModelVersionUtils`).
    public static let modelVersions = FilterSchema(
        entityName: "model versions",
        numericAttributes: ["version_number", "creation_timestamp", "last_updated_timestamp"],
        stringAttributes: ["name", "run_id", "source_path"],
        aliases: [:],
        listAttributes: ["name", "run_id"],
        prefixes: [.tag, .attribute],
        keyValueComparators: [.equal, .notEqual, .like, .ilike])
}
