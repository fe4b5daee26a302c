/// Base62 alphabet and fixed-width encoding, used for key bodies and their checksums.
public enum Base62 {
    public static let alphabet: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// True when every byte of `text` is in the alphabet.
    public static func isBase62<S: StringProtocol>(_ text: S) -> Bool {
        text.utf8.allSatisfy(isBase62Byte)
    }

    /// True when `byte` is an ASCII digit or letter.
    public static func isBase62Byte(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }

    /// `value` written in base62 with exactly `width` digits (most significant first, zero-padded).
    /// Digits above `width` are dropped, so callers choose a width that holds their range.
    public static func encode(_ value: UInt64, width: Int) -> String {
        var digits = [UInt8](repeating: alphabet[0], count: width)
        var rest = value
        for index in stride(from: width - 1, through: 0, by: -1) {
            digits[index] = alphabet[Int(rest % 62)]
            rest /= 62
        }
        return String(decoding: digits, as: UTF8.self)
    }
}
