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
        if let direct: D = Self.direct(value) { return direct }
        return try SQLiteDataDecoder().decode(D.self, from: value)
    }

    private func value(_ column: String) throws -> SQLiteData {
        guard let index = columns.index(of: column) else {
            throw DecodingError.keyNotFound(
                SQLiteColumnKey(column), .init(codingPath: [], debugDescription: "No column named \(column) in the row"))
        }
        return values[index]
    }

    /// `value` as `D` when no conversion is involved; nil sends the value to the decoder.
    private static func direct<D>(_ value: SQLiteData) -> D? {
        switch value {
        case .text(let text):
            if D.self == String.self { return unsafeBitCast(text, to: D.self) }
            if D.self == String?.self { return unsafeBitCast(String?.some(text), to: D.self) }
        case .integer(let integer):
            if D.self == Int64.self { return unsafeBitCast(Int64(integer), to: D.self) }
            if D.self == Int.self { return unsafeBitCast(Int(integer), to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Int64?.some(Int64(integer)), to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Int?.some(Int(integer)), to: D.self) }
        case .float(let double):
            if D.self == Double.self { return unsafeBitCast(double, to: D.self) }
            if D.self == Double?.self { return unsafeBitCast(Double?.some(double), to: D.self) }
        case .null:
            if D.self == String?.self { return unsafeBitCast(String?.none, to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Int64?.none, to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Int?.none, to: D.self) }
            if D.self == Double?.self { return unsafeBitCast(Double?.none, to: D.self) }
        case .blob:
            break
        }
        return nil
    }
}

private struct SQLiteColumnKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
