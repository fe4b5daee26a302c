import HokusaiCore
import SQLKit

/// `column IN (values)` with every value in one bound parameter: on PostgreSQL `column = ANY($1)`
/// with an array, on SQLite `column IN (SELECT value FROM json_each(?1))` with a JSON array.
///
/// A list of one placeholder per value is limited (PostgreSQL takes 65,535 parameters a
/// statement, which a version search naming that many models would have passed), and it
/// is slow at the sizes a page reaches: the text of a page of 1,000 runs' data query was 35 kB of
/// `?1, ?2, …`, serialized, parsed and planned again on every request. This text never changes with
/// the count, so the statement stays prepared. A single value is a plain `=`, which the planners
/// treat best.
struct OneBindMembership<Value: OneBindListValue>: SQLExpression {
    /// A column of ours (`run_id`, `ri.run_id`), written as given: quoting it took 3% of a
    /// `get_run`.
    let column: String
    let values: [Value]

    init(_ column: String, in values: [Value]) {
        self.column = column
        self.values = values
    }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(column)
        if values.count == 1 {
            serializer.write(" = ")
            serializer.write(bind: values[0])
        } else if serializer.dialect.name == "postgresql" {
            serializer.write(" = ANY(")
            serializer.write(bind: values)
            serializer.write(")")
        } else {
            serializer.write(" IN (SELECT value FROM json_each(")
            serializer.write(bind: Value.jsonArray(values))
            serializer.write("))")
        }
    }
}

/// A value `OneBindMembership` can bind as a list: as a PostgreSQL array, or inside a JSON array.
protocol OneBindListValue: Encodable, Sendable {
    static func jsonArray(_ values: [Self]) -> String
}

extension String: OneBindListValue {
    static func jsonArray(_ values: [String]) -> String {
        String(decoding: JSONWriter.bytes(.array(values.map(JSONValue.string))), as: UTF8.self)
    }
}

extension Int64: OneBindListValue {
    static func jsonArray(_ values: [Int64]) -> String {
        "[" + values.map(String.init).joined(separator: ",") + "]"
    }
}
