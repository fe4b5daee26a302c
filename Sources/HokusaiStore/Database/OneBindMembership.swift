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
        var output = JSONOutput(reservingCapacity: values.count * 40)
        output.beginArray()
        for value in values { output.string(value) }
        output.endArray()
        return String(decoding: output.bytes, as: UTF8.self)
    }
}

extension Int64: OneBindListValue {
    static func jsonArray(_ values: [Int64]) -> String {
        "[" + values.map(String.init).joined(separator: ",") + "]"
    }
}

/// `FROM table AS alias` limited to the rows whose `column` is one of `values`, the list again in
/// one bound parameter. On SQLite the list drives the read: `FROM json_each(?) AS ids JOIN table AS
/// alias ON alias.column = ids.value`, one primary-key seek per value, where `column IN (SELECT …)`
/// first copied the list into a temporary B-tree (a page of 1,000 runs built five of them, a
/// tenth of its time). A single value, and PostgreSQL, keep `OneBindMembership`'s condition.
///
/// Make one for a list and name each table with `from(_:as:)`: the list is encoded once.
/// Columns must be named through `alias`, as `json_each`'s own columns include `key` and `value`.
struct OneBindSelection<Value: OneBindListValue & Hashable>: SQLExpression {
    private let column: String
    private let values: [Value]
    /// SQLite's bound list, each value once: a join yields a row per listed value, where IN
    /// yielded one per row. Encoded whatever the database; on PostgreSQL it goes unused.
    private let uniqueJSON: String
    private var table = ""
    private var alias = ""

    init(where column: String, in values: [Value]) {
        self.column = column
        self.values = values
        uniqueJSON = values.count == 1 ? "" : Value.jsonArray(Self.eachOnce(values))
    }

    private static func eachOnce(_ values: [Value]) -> [Value] {
        var seen = Set<Value>(minimumCapacity: values.count)
        return values.filter { seen.insert($0).inserted }
    }

    func from(_ table: String, as alias: String) -> Self {
        var selection = self
        selection.table = table
        selection.alias = alias
        return selection
    }

    func serialize(to serializer: inout SQLSerializer) {
        if values.count == 1 || serializer.dialect.name == "postgresql" {
            serializer.write("FROM \(table) AS \(alias) WHERE ")
            OneBindMembership("\(alias).\(column)", in: values).serialize(to: &serializer)
        } else {
            serializer.write("FROM json_each(")
            serializer.write(bind: uniqueJSON)
            serializer.write(") AS \(alias)_ids JOIN \(table) AS \(alias) ON \(alias).\(column) = \(alias)_ids.value")
        }
    }
}
