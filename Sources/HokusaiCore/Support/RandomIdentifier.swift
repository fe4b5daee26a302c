#if canImport(Glibc)
    import Glibc
#endif

/// Random, URL-safe identifiers for stored rows (`key_…`, `evt_…`) and requests (`req_…`).
public enum RandomIdentifier {
    /// `prefix` followed by `length` random base62 characters (20: about 119 bits).
    public static func make(prefix: String, length: Int = 20) -> String {
        var characters: [UInt8] = []
        characters.reserveCapacity(length)
        // The low 6 bits of each random byte, a 62 or 63 thrown away (so every character is
        // equally likely). 32 bytes give 31 characters on average, 20 all but never.
        var bytes = [UInt8](repeating: 0, count: 32)
        while characters.count < length {
            fillRandom(&bytes)
            for byte in bytes where characters.count < length && byte & 0x3F < 62 {
                characters.append(Base62.alphabet[Int(byte & 0x3F)])
            }
        }
        return prefix + String(decoding: characters, as: UTF8.self)
    }

    /// Cryptographically secure bytes: glibc's `arc4random_buf` (ChaCha20 seeded by the kernel,
    /// no system call per draw; `SystemRandomNumberGenerator` makes one per 8 bytes).
    private static func fillRandom(_ bytes: inout [UInt8]) {
        #if canImport(Glibc)
            bytes.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
            return
        #else
            var generator = SystemRandomNumberGenerator()
            for index in bytes.indices { bytes[index] = generator.next() }
        #endif
    }
}
