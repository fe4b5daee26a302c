import HokusaiCore
import SQLKit

/// The `(owner, key, value)` tables — run params and tags, experiment tags, logged-model tags and
/// params, registered-model tags — written and read the same way: whole lists in one statement, never a row at a time.
struct KeyValueTable: Sendable {
    let name: String
    let ownerColumn: String

    static let runParams = KeyValueTable(name: "run_params", ownerColumn: "run_id")
    static let runTags = KeyValueTable(name: "run_tags", ownerColumn: "run_id")
    static let experimentTags = KeyValueTable(name: "experiment_tags", ownerColumn: "experiment_id")
    static let loggedModelTags = KeyValueTable(name: "logged_model_tags", ownerColumn: "model_id")
    static let loggedModelParams = KeyValueTable(name: "logged_model_params", ownerColumn: "model_id")
    static let registeredModelTags = KeyValueTable(name: "registered_model_tags", ownerColumn: "name")

    /// Rows per statement, well under both engines' limits on bound values.
    static let rowsPerStatement = 500

    /// Writes `pairs` for `owner`. With `replace`, a key already stored takes the new value (the last
    /// one given, when a list names a key twice); without, the stored value is kept.
    func write(_ owner: some Encodable & Sendable, _ pairs: [KeyValue], replace: Bool, on db: any SQLDatabase) async throws {
        // One statement may not touch a row twice (PostgreSQL refuses it), so a key named twice keeps its last value.
        var lastIndex: [String: Int] = [:]
        for (index, pair) in pairs.enumerated() { lastIndex[pair.key] = index }
        let unique = pairs.enumerated().filter { lastIndex[$0.element.key] == $0.offset }.map(\.element)
        let conflict: SQLQueryString =
            replace
            ? " ON CONFLICT (\(ident: ownerColumn), key) DO UPDATE SET value = excluded.value"
            : " ON CONFLICT (\(ident: ownerColumn), key) DO NOTHING"
        for start in stride(from: 0, to: unique.count, by: Self.rowsPerStatement) {
            let rows = unique[start..<min(start + Self.rowsPerStatement, unique.count)].map {
                "(\(bind: owner), \(bind: $0.key), \(bind: $0.value))" as SQLQueryString
            }
            var query: SQLQueryString = "INSERT INTO \(ident: name) (\(ident: ownerColumn), key, value) VALUES "
            query += rows.joined(separator: ", ") + conflict
            try await db.raw(query).run()
        }
    }

    /// The pairs of every owner in `owners`, each list ordered by key.
    func grouped<Owner: Codable & Hashable & OneBindListValue>(_ owners: [Owner], on db: any SQLDatabase) async throws -> [Owner:
        [KeyValue]]
    {
        guard !owners.isEmpty else { return [:] }
        let rows = try await db.select().column(ownerColumn).column("key").column("value").from(name)
            .where(OneBindMembership(ownerColumn, in: owners)).orderBy("key").all()
        var result: [Owner: [KeyValue]] = [:]
        for row in rows {
            result[try row.decode(column: ownerColumn, as: Owner.self), default: []].append(
                KeyValue(
                    key: try row.decode(column: "key", as: String.self), value: try row.decode(column: "value", as: String.self)))
        }
        return result
    }
}
