/// Writes a `JSONValue` as compact JSON, keeping object fields in the order they were built
/// (Foundation's encoder does not) and without a trip through `Encoder`.
public enum JSONWriter {
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(value, into: &output)
        return output
    }

    static func write(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .encoded(let bytes): output.append(contentsOf: bytes)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): output.append(contentsOf: String(number).utf8)
        case .int64(let number): output.append(contentsOf: String(number).utf8)
        case .double(let number):
            if number.isNaN {
                output.append(contentsOf: "\"NaN\"".utf8)
            } else if number.isInfinite {
                output.append(contentsOf: (number > 0 ? "\"Infinity\"" : "\"-Infinity\"").utf8)
            } else if number == number.rounded(), abs(number) < 1e15 {
                // Whole numbers as Python's json writes floats: 1.0, not 1.
                output.append(contentsOf: String(Int64(number)).utf8)
                output.append(contentsOf: ".0".utf8)
            } else {
                output.append(contentsOf: number.description.utf8)
            }
        case .string(let text): writeString(text, into: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(item, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let fields):
            output.append(UInt8(ascii: "{"))
            for (index, field) in fields.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(field.0, into: &output)
                output.append(UInt8(ascii: ":"))
                write(field.1, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Most strings (ids, keys, names) need no escaping: they are copied in one go, which was
        // most of the time spent writing a page of 1,000 runs byte by byte.
        let copied =
            text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                guard !bytes.contains(where: needsEscaping) else { return false }
                output.append(contentsOf: bytes)
                return true
            } ?? false
        if !copied {
            for byte in text.utf8 { writeEscaped(byte, into: &output) }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func writeEscaped(_ byte: UInt8, into output: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): output.append(contentsOf: "\\\"".utf8)
        case UInt8(ascii: "\\"): output.append(contentsOf: "\\\\".utf8)
        case 0x0A: output.append(contentsOf: "\\n".utf8)
        case 0x0D: output.append(contentsOf: "\\r".utf8)
        case 0x09: output.append(contentsOf: "\\t".utf8)
        case 0..<0x20:
            let hex = String(byte, radix: 16)
            output.append(contentsOf: ("\\u00" + (hex.count == 1 ? "0" : "") + hex).utf8)
        default: output.append(byte)
        }
    }
}
