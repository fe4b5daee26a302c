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
}
