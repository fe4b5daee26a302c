import HokusaiCore
import SQLKit

/// SQL fragments shared by the run, logged-model and experiment searches.
enum SearchSQL {
    /// `column <op> value` for string comparisons. LIKE is case-sensitive on both engines (SQLite
    /// connections set `case_sensitive_like`); ILIKE lowercases both sides.
    static func stringComparison(_ column: String, _ clause: SearchFilter.Clause) throws(MLflowError) -> SQLQueryString {
        switch (clause.comparator, clause.value) {
        case (.equal, .string(let value)): return "\(unsafeRaw: column) = \(bind: value)"
        case (.notEqual, .string(let value)): return "\(unsafeRaw: column) <> \(bind: value)"
        case (.like, .string(let value)): return "\(unsafeRaw: column) LIKE \(bind: value)"
        case (.ilike, .string(let value)): return "LOWER(\(unsafeRaw: column)) LIKE LOWER(\(bind: value))"
        case (.in, .list(let values)):
            return values.isEmpty ? "1 = 0" : "\(unsafeRaw: column) IN (\(binds: values))"
        case (.notIn, .list(let values)):
            return values.isEmpty ? "1 = 1" : "\(unsafeRaw: column) NOT IN (\(binds: values))"
        default:
            throw .invalid("Invalid comparison '\(clause.comparator.rawValue)' for \(column)")
        }
    }

    /// `column <op> number`, binding whole numbers as integers so integer columns compare exactly.
    static func numericComparison(_ column: String, _ clause: SearchFilter.Clause) throws(MLflowError) -> SQLQueryString {
        guard case .number(let number) = clause.value else { throw .invalid("'\(column)' needs a number") }
        if number == number.rounded(), abs(number) < 9e18 {
            return "\(unsafeRaw: column) \(unsafeRaw: clause.comparator.rawValue) \(bind: Int64(number))"
        }
        return "\(unsafeRaw: column) \(unsafeRaw: clause.comparator.rawValue) \(bind: number)"
    }

    /// A condition on an `(owner, key, value)` table (`KeyValueTable`): the owner has `key`
    /// (IS NOT NULL), lacks it (IS NULL), or has it with a value that compares as asked. Uses the
    /// table's `(owner, key)` primary key, one probe per candidate owner.
    static func keyValueCondition(
        _ table: KeyValueTable, owner: String, key: String, _ clause: SearchFilter.Clause
    ) throws(MLflowError) -> SQLQueryString {
        let exists: SQLQueryString =
            "SELECT 1 FROM \(ident: table.name) f WHERE f.\(ident: table.ownerColumn) = \(unsafeRaw: owner) AND f.key = \(bind: key)"
        switch clause.comparator {
        case .isNull: return "NOT EXISTS (" + exists + ")"
        case .isNotNull: return "EXISTS (" + exists + ")"
        default: return "EXISTS (" + exists + " AND " + (try stringComparison("f.value", clause)) + ")"
        }
    }

    /// The same condition written as membership, `owner IN (SELECT owner FROM table WHERE key = ? AND …)`,
    /// for tables with a `(key, value, owner)` index (run params and tags on SQLite): the matching
    /// owners are read once from that index instead of probing every candidate. IS NULL stays
    /// `NOT EXISTS`, which cannot be a membership test.
    static func keyValueMembership(
        _ table: KeyValueTable, owner: String, key: String, _ clause: SearchFilter.Clause
    ) throws(MLflowError) -> SQLQueryString {
        let members: SQLQueryString =
            "\(unsafeRaw: owner) IN (SELECT f.\(ident: table.ownerColumn) FROM \(ident: table.name) f WHERE f.key = \(bind: key)"
        switch clause.comparator {
        case .isNull: return try keyValueCondition(table, owner: owner, key: key, clause)
        case .isNotNull: return members + ")"
        default: return members + " AND " + (try stringComparison("f.value", clause)) + ")"
        }
    }

    /// `select [joins] WHERE … ORDER BY … LIMIT … OFFSET …`: one page, cut in the database.
    static func page(
        _ select: SQLQueryString, joins: [SQLQueryString] = [], conditions: [SQLQueryString], order: [SQLQueryString], limit: Int,
        offset: Int
    ) -> SQLQueryString {
        var query = select
        for join in joins { query += " " + join }
        query += " WHERE " + conditions.joined(separator: " AND ")
        query += " ORDER BY " + order.joined(separator: ", ")
        query += " LIMIT \(literal: limit) OFFSET \(literal: offset)"
        return query
    }
}
