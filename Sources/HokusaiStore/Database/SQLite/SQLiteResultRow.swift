import SQLKit
import SQLiteKit
import SQLiteNIO

/// One row as SQLKit reads it. The types the repositories read most (text, integers, doubles and
/// their optionals) are taken straight from the value; anything else goes through SQLiteKit's
/// decoder, whose rules (booleans from integers, JSON from text, …) therefore still hold.
struct SQLiteResultRow: SQLRow {
    let columns: SQLiteColumns
    let values: [SQLiteData]

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.index(of: column) != nil }

    func decodeNil(column: String) throws -> Bool {
        guard case .null = try value(column) else { return false }
        return true
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        let value = try value(column)
        // Types are told apart by identity. Naming `String?.self` (or returning a `D?`) here
        // would look generic metadata up in the runtime's table on every call: a sixth of the
        // time of a page of 1,000 runs went to those lookups.
        let type = ObjectIdentifier(D.self)
        let known = DirectTypes.shared
        switch value {
        case .text(let text):
            if type == known.string { return unsafeBitCast(text, to: D.self) }
            if type == known.optionalString { return unsafeBitCast(String?.some(text), to: D.self) }
        case .integer(let integer):
            if type == known.int64 { return unsafeBitCast(Int64(integer), to: D.self) }
            if type == known.int { return unsafeBitCast(Int(integer), to: D.self) }
            if type == known.optionalInt64 { return unsafeBitCast(Int64?.some(Int64(integer)), to: D.self) }
            if type == known.optionalInt { return unsafeBitCast(Int?.some(Int(integer)), to: D.self) }
        case .float(let double):
            if type == known.double { return unsafeBitCast(double, to: D.self) }
            if type == known.optionalDouble { return unsafeBitCast(Double?.some(double), to: D.self) }
        case .null:
            if type == known.optionalString { return unsafeBitCast(String?.none, to: D.self) }
            if type == known.optionalInt64 { return unsafeBitCast(Int64?.none, to: D.self) }
            if type == known.optionalInt { return unsafeBitCast(Int?.none, to: D.self) }
            if type == known.optionalDouble { return unsafeBitCast(Double?.none, to: D.self) }
        case .blob:
            break
        }
        return try SQLiteDataDecoder().decode(D.self, from: value)
    }

    private func value(_ column: String) throws -> SQLiteData {
        guard let index = columns.index(of: column) else {
            throw DecodingError.keyNotFound(
                SQLiteColumnKey(column), .init(codingPath: [], debugDescription: "No column named \(column) in the row"))
        }
        return values[index]
    }
}

/// The types `SQLiteResultRow.decode` takes straight from a value, looked up once.
private struct DirectTypes: Sendable {
    static let shared = DirectTypes()

    let string = ObjectIdentifier(String.self)
    let optionalString = ObjectIdentifier(String?.self)
    let int64 = ObjectIdentifier(Int64.self)
    let optionalInt64 = ObjectIdentifier(Int64?.self)
    let int = ObjectIdentifier(Int.self)
    let optionalInt = ObjectIdentifier(Int?.self)
    let double = ObjectIdentifier(Double.self)
    let optionalDouble = ObjectIdentifier(Double?.self)
}

private struct SQLiteColumnKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
