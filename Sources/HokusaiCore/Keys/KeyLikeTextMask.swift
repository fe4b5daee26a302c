/// Masks text shaped like a key (`hk_live_` + 32 letters and digits) in text a client wrote and
/// the server repeats: a path in the access log, an id in an error message. A key typed into a URL
/// path (`GET /api/v1/keys/<the key>`) or a JSON field must never be logged or echoed whole.
public enum KeyLikeTextMask {
    /// `text` with every key-like run replaced by its mask (`hk_live_ch…cOWL`). Percent-escaped
    /// keys (`hk%5Flive_…`) are found too; text holding one is returned decoded, then masked.
    public static func masking(_ text: String) -> String {
        if APIKeyFormat.containsKeyLikeText(text) { return replacingKeys(in: text) }
        if text.utf8.contains(UInt8(ascii: "%")) {
            let decoded = leniently(percentDecoding: text)
            if APIKeyFormat.containsKeyLikeText(decoded) { return replacingKeys(in: decoded) }
        }
        return text
    }

    static func replacingKeys(in text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                if let length = APIKeyFormat.keyLikeRunLength(in: bytes, at: index) {
                    let key = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<index + length]), as: UTF8.self)
                    output.append(contentsOf: APIKeyFormat.mask(key).utf8)
                    index += length
                } else {
                    output.append(bytes[index])
                    index += 1
                }
            }
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// `%XX` as the byte XX wherever it is well formed; anything else is kept as written.
    static func leniently(percentDecoding text: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = Hex.value(ofDigit: bytes[index + 1]), let low = Hex.value(ofDigit: bytes[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
