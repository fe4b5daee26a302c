import Hummingbird

/// Query strings as HTML forms and Python's `requests` encode them: `+` is a space, `%XX` a byte,
/// repeated keys kept in order. (Hummingbird's `queryParameters` leaves `+` as it is, so the MLflow
/// client's `order_by=name+DESC` would read as one word.)
///
/// Decoded byte by byte: every GET of the MLflow API passes through here, and Foundation's
/// `replacingOccurrences` and `removingPercentEncoding` were 6% of a `get_run`'s CPU.
enum FormQuery {
    static func items(_ query: String?) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// `+` as a space and `%XX` as the byte XX. A `%` without two hex digits after it, or escapes
    /// that do not make UTF-8, leave the escapes as they were (only `+` becomes a space), as
    /// Foundation's `removingPercentEncoding` returning nil did.
    static func decode(_ text: Substring) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else { return String(text) }
        var spaced: [UInt8] = []
        var decoded: [UInt8] = []
        spaced.reserveCapacity(utf8.count)
        decoded.reserveCapacity(utf8.count)
        var escapesValid = true
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            let plain = byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte
            spaced.append(plain)
            index = utf8.index(after: index)
            guard byte == UInt8(ascii: "%"), escapesValid else {
                decoded.append(plain)
                continue
            }
            guard index != utf8.endIndex, let high = hexValue(utf8[index]),
                utf8.index(after: index) != utf8.endIndex, let low = hexValue(utf8[utf8.index(after: index)])
            else {
                escapesValid = false
                continue
            }
            decoded.append(high << 4 | low)
            spaced.append(utf8[index])
            spaced.append(utf8[utf8.index(after: index)])
            index = utf8.index(index, offsetBy: 2)
        }
        if escapesValid, let text = String(validating: decoded, as: UTF8.self) { return text }
        return String(decoding: spaced, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
