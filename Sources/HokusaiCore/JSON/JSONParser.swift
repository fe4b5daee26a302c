/// Parses request bodies straight from their bytes into `JSONAny`. Foundation's `JSONDecoder`,
/// asked for "any value", tries each type in turn and throws at every miss: on a `log-batch` of
/// 1,000 metrics that was half the server's CPU. This reads each byte once.
///
/// Strict RFC 8259: no comments, no trailing commas, no `NaN` (MLflow clients send NaN as the
/// string "NaN"); integers without a fraction or exponent that fit in 64 bits stay integers;
/// nesting is capped so a hostile body cannot exhaust the stack; a repeated key in an object is refused.
public struct JSONParser {
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public let message: String
        public let offset: Int
        public var description: String { "\(message) at byte \(offset)" }
    }

    public static let maximumDepth = 256

    public static func parse(_ bytes: some Collection<UInt8>) throws(SyntaxError) -> JSONAny {
        let parsed = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(SyntaxError) in try parse(buffer: buffer) }
        }
        if let parsed { return try parsed.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer in
            Result { () throws(SyntaxError) in try parse(buffer: buffer) }
        }.get()
    }

    /// Reads the bytes in place: a request body is already contiguous, so it is neither copied
    /// nor bounds-checked byte by byte.
    private static func parse(buffer: UnsafeBufferPointer<UInt8>) throws(SyntaxError) -> JSONAny {
        var parser = JSONParser(bytes: buffer)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == buffer.count else { throw parser.error("Unexpected content after the JSON value") }
        return value
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private func error(_ message: String) -> SyntaxError { SyntaxError(message: message, offset: index) }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func value(depth: Int) throws(SyntaxError) -> JSONAny {
        guard let byte = current else { throw error("Unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("Unexpected character '\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private mutating func literal(_ word: StaticString, _ result: JSONAny) throws(SyntaxError) -> JSONAny {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("Invalid literal") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw error("Invalid literal") }
        index += count
        return result
    }

    private mutating func object(depth: Int) throws(SyntaxError) -> JSONAny {
        guard depth <= Self.maximumDepth else { throw error("JSON nested deeper than \(Self.maximumDepth) levels") }
        index += 1
        // Room for a typical small object (a metric has four fields) without growing twice.
        var fields = [String: JSONAny](minimumCapacity: 4)
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(fields)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("Expected a string key") }
            let key = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("Expected ':' after a key") }
            index += 1
            skipWhitespace()
            // A repeated key is refused: parsers disagree on which value wins (Foundation kept
            // the first, this parser kept the last), so a body two components read differently
            // could pass a check in one and act in the other.
            guard fields.updateValue(try value(depth: depth), forKey: key) == nil else {
                throw SyntaxError(message: "Duplicate key '\(key.prefix(100))' in an object", offset: index)
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(fields)
            default: throw error("Expected ',' or '}' in an object")
            }
        }
    }

    private mutating func array(depth: Int) throws(SyntaxError) -> JSONAny {
        guard depth <= Self.maximumDepth else { throw error("JSON nested deeper than \(Self.maximumDepth) levels") }
        index += 1
        var items: [JSONAny] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(items)
            default: throw error("Expected ',' or ']' in an array")
            }
        }
    }

    private mutating func string() throws(SyntaxError) -> String {
        index += 1
        let start = index
        // The common case, no escapes: one scan, one copy. Keys and most values are ASCII, which
        // needs no UTF-8 validation beyond noting that no byte had its high bit set.
        var highBits: UInt8 = 0
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw error("Unescaped control character in a string") }
            highBits |= byte
            index += 1
        }
        guard let stop = current else { throw error("Unterminated string") }
        if stop == UInt8(ascii: "\"") {
            defer { index += 1 }
            let utf8 = UnsafeBufferPointer(rebasing: bytes[start..<index])
            return highBits < 0x80 ? String(decoding: utf8, as: UTF8.self) : try validated(utf8)
        }
        var scalars = Array(bytes[start..<index])
        while true {
            guard let byte = current else { throw error("Unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try scalars.withUnsafeBufferPointer { utf8 throws(SyntaxError) in try validated(utf8) }
            case UInt8(ascii: "\\"):
                index += 1
                try escape(into: &scalars)
            case ..<0x20:
                throw error("Unescaped control character in a string")
            default:
                scalars.append(byte)
                index += 1
            }
        }
    }

    private func validated(_ utf8: UnsafeBufferPointer<UInt8>) throws(SyntaxError) -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else { throw error("Invalid UTF-8 in a string") }
        return text
    }

    private mutating func escape(into output: inout [UInt8]) throws(SyntaxError) {
        guard let byte = current else { throw error("Unterminated escape") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(byte)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xD800..<0xDC00).contains(code) {
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error("Unpaired surrogate in a \\u escape")
                }
                index += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw error("Unpaired surrogate in a \\u escape") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(code) {
                throw error("Unpaired surrogate in a \\u escape")
            }
            guard let scalar = Unicode.Scalar(code) else { throw error("Invalid \\u escape") }
            output.append(contentsOf: UTF8.encode(scalar)!)
        default: throw error("Invalid escape '\\\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private mutating func hex4() throws(SyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("Truncated \\u escape") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("Invalid \\u escape")
            }
            code = code << 4 | UInt32(digit)
            index += 1
        }
        return code
    }

    private mutating func number() throws(SyntaxError) -> JSONAny {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            throw error("Invalid number")
        }
        if first == UInt8(ascii: "0") {
            index += 1
        } else {
            digits()
        }
        var integral = true
        if current == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard digits() > 0 else { throw error("Invalid number: digits expected after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            integral = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("Invalid number: digits expected in the exponent") }
        }
        // Up to 18 digits cannot overflow Int64: summed in place. Longer integers, fractions and
        // exponents go through the standard library's conversions.
        let digitsStart = bytes[start] == UInt8(ascii: "-") ? start + 1 : start
        if integral, index - digitsStart <= 18 {
            var magnitude: Int64 = 0
            for offset in digitsStart..<index { magnitude = magnitude * 10 + Int64(bytes[offset] &- UInt8(ascii: "0")) }
            return .int(digitsStart == start ? magnitude : -magnitude)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if integral, let integer = Int64(text) { return .int(integer) }
        guard let double = Double(text), double.isFinite else { throw error("Number out of range") }
        return .double(double)
    }

    @discardableResult
    private mutating func digits() -> Int {
        let start = index
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
        return index - start
    }
}
