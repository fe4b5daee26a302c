/// Writes a `JSONValue` as compact JSON, keeping object fields in the order they were built
/// (Foundation's encoder does not) and without a trip through `Encoder`.
public enum JSONWriter {
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        if case .encoded(let bytes) = value { return bytes }
        var output: [UInt8] = []
        // A large answer is mostly a part written before (a page of runs is 640 kB): room for it
        // up front saves growing the buffer, and copying what it holds, a dozen times over.
        output.reserveCapacity(256 + prewrittenCount(value))
        write(value, into: &output)
        return output
    }

    /// The bytes of `value`'s pre-written parts at its top level and in its fields.
    private static func prewrittenCount(_ value: JSONValue) -> Int {
        switch value {
        case .encoded(let bytes): return bytes.count
        case .object(let fields):
            return fields.reduce(0) { total, field in
                if case .encoded(let bytes) = field.1 { return total + bytes.count }
                return total
            }
        default: return 0
        }
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
                guard !anyNeedsEscaping(bytes) else { return false }
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

    /// Whether any byte is a control character, a quote or a backslash, looked at eight bytes at a
    /// time: checking byte by byte was half the time spent writing a page of runs' strings.
    /// `(v - 0x01…) & ~v & 0x80…` is non-zero exactly when some byte of `v` is zero, and with
    /// `0x20…` in place of `0x01…` when some byte is below 0x20 (bytes of 0x80 and up never count).
    static func anyNeedsEscaping(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = UnsafeRawPointer(bytes.baseAddress) else { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
            let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
            let control = (word &- ones &* 0x20) & ~word
            let quote = (quotes &- ones) & ~quotes
            let backslash = (backslashes &- ones) & ~backslashes
            if (control | quote | backslash) & highs != 0 { return true }
            offset += 8
        }
        return bytes[offset...].contains(where: needsEscaping)
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
