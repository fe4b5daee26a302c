import Crypto

/// The shape of a Hokusai API key: `hk_live_` / `hk_test_` / `hk_dev_` followed by 32 base62
/// characters, the last 6 of which are a base62 CRC-32 of everything before them.
///
/// The checksum lets a mistyped, truncated or foreign key be rejected as `MALFORMED` before the
/// store is touched, and gives secret scanners a way to confirm a match.
public enum APIKeyFormat {
    public static let bodyLength = 32
    public static let checksumLength = 6
    public static var randomLength: Int { bodyLength - checksumLength }

    /// Why a presented string is not a well-formed key. The messages never repeat the input.
    public enum Problem: Error, Equatable, Sendable {
        case unknownPrefix
        case wrongLength(Int)
        case invalidCharacters
        case checksumMismatch

        public var message: String {
            switch self {
            case .unknownPrefix:
                "API key must start with hk_live_, hk_test_ or hk_dev_"
            case .wrongLength(let length):
                "API key must have \(APIKeyFormat.bodyLength) characters after its prefix, found \(length)"
            case .invalidCharacters:
                "API key may contain only letters and digits after its prefix"
            case .checksumMismatch:
                "API key checksum does not match: the key was mistyped or truncated"
            }
        }
    }

    /// A new random key for `environment`.
    public static func generate<R: RandomNumberGenerator>(
        environment: APIKeyEnvironment,
        using generator: inout R
    ) -> String {
        var random = [UInt8]()
        random.reserveCapacity(randomLength)
        for _ in 0..<randomLength {
            random.append(Base62.alphabet[Int.random(in: 0..<62, using: &generator)])
        }
        let unchecked = environment.keyPrefix + String(decoding: random, as: UTF8.self)
        return unchecked + checksum(of: unchecked)
    }

    /// A new key drawn from the system's cryptographically secure generator.
    public static func generate(environment: APIKeyEnvironment) -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(environment: environment, using: &generator)
    }

    /// Checks prefix, length, alphabet and checksum, in that order.
    public static func parse(_ key: String) -> Result<APIKeyEnvironment, Problem> {
        let text = Substring(key)
        guard let environment = APIKeyEnvironment.matching(key: text) else {
            return .failure(.unknownPrefix)
        }
        let body = text.dropFirst(environment.keyPrefix.count)
        guard body.utf8.count == bodyLength else {
            return .failure(.wrongLength(body.utf8.count))
        }
        guard Base62.isBase62(body) else {
            return .failure(.invalidCharacters)
        }
        let unchecked = text.dropLast(checksumLength)
        guard checksum(of: unchecked) == String(text.suffix(checksumLength)) else {
            return .failure(.checksumMismatch)
        }
        return .success(environment)
    }

    static func checksum<S: StringProtocol>(of unchecked: S) -> String {
        Base62.encode(UInt64(CRC32.checksum(unchecked.utf8)), width: checksumLength)
    }

    /// SHA-256 of the whole key, lowercase hex: the only form in which a key is stored.
    public static func hash(_ key: String) -> String {
        Hex.lowercase(SHA256.hash(data: Array(key.utf8)))
    }

    /// The displayable parts of a key: its prefix plus two characters, and its last four.
    /// Only these are kept beside the hash, so a key can be recognised but never recovered.
    public static func visibleParts(of key: String) -> (head: String, tail: String) {
        let environment = APIKeyEnvironment.matching(key: Substring(key))
        let prefixLength = (environment?.keyPrefix.count ?? 0) + 2
        return (String(key.prefix(prefixLength)), String(key.suffix(4)))
    }

    /// `hk_live_ch…cOWL`
    public static func mask(head: String, tail: String) -> String {
        "\(head)…\(tail)"
    }

    public static func mask(_ key: String) -> String {
        let parts = visibleParts(of: key)
        return mask(head: parts.head, tail: parts.tail)
    }

    /// True if `text` contains something shaped like a key (prefix followed by 32 base62
    /// characters). Used to keep keys out of logged or echoed client-supplied values.
    public static func containsKeyLikeText(_ text: String) -> Bool {
        // Byte-wise (a prefix and base62 are ASCII): it runs on every request's query values.
        var text = text
        return text.withUTF8 { bytes in
            bytes.indices.contains { keyLikeRunLength(in: bytes, at: $0) != nil }
        }
    }

    /// The length of the key-shaped run (an environment's prefix and 32 base62 characters) that
    /// starts at `start` in `bytes`, if one does.
    public static func keyLikeRunLength(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Int? {
        // Every prefix starts `hk_`: most positions are passed over on their first byte.
        guard bytes[start] == UInt8(ascii: "h") else { return nil }
        for prefix in keyPrefixBytes {
            let end = start + prefix.count + bodyLength
            guard end <= bytes.count, prefix.indices.allSatisfy({ bytes[start + $0] == prefix[$0] }) else { continue }
            if (start + prefix.count..<end).allSatisfy({ Base62.isBase62Byte(bytes[$0]) }) { return end - start }
        }
        return nil
    }

    private static let keyPrefixBytes = APIKeyEnvironment.allCases.map { Array($0.keyPrefix.utf8) }
}
