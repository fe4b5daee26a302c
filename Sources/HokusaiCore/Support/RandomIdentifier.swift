/// Random, URL-safe identifiers for stored rows (`key_…`, `evt_…`).
public enum RandomIdentifier {
    /// `prefix` followed by 20 random base62 characters (about 119 bits).
    public static func make(prefix: String, length: Int = 20) -> String {
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<length).map { _ in Base62.alphabet[Int.random(in: 0..<62, using: &generator)] }
        return prefix + String(decoding: characters, as: UTF8.self)
    }
}
