/// Random, URL-safe identifiers for stored rows (`key_…`, `evt_…`) and requests (`req_…`).
public enum RandomIdentifier {
    /// `prefix` followed by `length` random base62 characters (20: about 119 bits).
    public static func make(prefix: String, length: Int = 20) -> String {
        var generator = SystemRandomNumberGenerator()
        var characters: [UInt8] = []
        characters.reserveCapacity(length)
        // Ten 6-bit draws from each 64-bit word, a draw of 62 or 63 thrown away (so every
        // character is equally likely): two or three system calls an id, not one a character.
        while characters.count < length {
            var word = generator.next()
            for _ in 0..<10 where characters.count < length {
                let draw = Int(word & 0x3F)
                word >>= 6
                if draw < 62 { characters.append(Base62.alphabet[draw]) }
            }
        }
        return prefix + String(decoding: characters, as: UTF8.self)
    }
}
