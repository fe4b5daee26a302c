/// Query strings as HTML forms and Python's `requests` encode them: `+` is a space, `%XX` a byte,
/// repeated keys kept in order. (Hummingbird's `queryParameters` leaves `+` as it is, so the MLflow
/// client's `order_by=name+DESC` would read as one word.)
///
/// Decoded byte by byte: every GET of the MLflow API passes through here, and Foundation's
/// `replacingOccurrences` and `removingPercentEncoding` were 6% of a `get_run`'s CPU.
public enum FormQuery {
    public static func items(_ query: String?) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        // Split on the bytes `&` and `=`, not on characters: a `&` followed by a combining mark is
        // one character to Swift but still a separator to every other parser (found by fuzz/run).
        return query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(Substring(parts[0])), parts.count > 1 ? decode(Substring(parts[1])) : "")
        }
    }

    /// `+` as a space and `%XX` as the byte XX. A `%` without two hex digits after it, or escapes
    /// that do not make UTF-8, leave the escapes as they were (only `+` becomes a space), as
    /// Foundation's `removingPercentEncoding` returning nil did.
    public static func decode(_ text: Substring) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else { return String(text) }
        let utf8 = Array(text.utf8)
        let spacesOnly = { String(decoding: utf8.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            switch utf8[index] {
            case UInt8(ascii: "+"):
                decoded.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "%"):
                guard index + 2 < utf8.count, let high = Hex.value(ofDigit: utf8[index + 1]),
                    let low = Hex.value(ofDigit: utf8[index + 2])
                else {
                    return spacesOnly()
                }
                decoded.append(high << 4 | low)
                index += 3
            case let byte:
                decoded.append(byte)
                index += 1
            }
        }
        return String(validating: decoded, as: UTF8.self) ?? spacesOnly()
    }

    /// A value for a query string: letters, digits, `-._~/` as they are, every other byte `%XX`.
    public static func escape(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(byte)
            default:
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
