import Testing

@testable import HokusaiCore

/// Identifiers are base62 of the asked length, and every character is equally likely: a mapping
/// that folded the two spare 6-bit values onto two characters would make those twice as common.
@Suite struct RandomIdentifierTests {
    @Test func identifiersArePrefixedBase62OfTheAskedLength() {
        for length in [1, 9, 10, 11, 20, 43] {
            let identifier = RandomIdentifier.make(prefix: "req_", length: length)
            #expect(identifier.hasPrefix("req_"))
            #expect(identifier.utf8.count == 4 + length)
            #expect(Base62.isBase62(identifier.dropFirst(4)))
        }
        let many = (0..<1000).map { _ in RandomIdentifier.make(prefix: "") }
        #expect(Set(many).count == many.count)
    }

    @Test func everyCharacterIsAboutEquallyLikely() {
        var counts = [Character: Int]()
        for _ in 0..<3100 {
            for character in RandomIdentifier.make(prefix: "") { counts[character, default: 0] += 1 }
        }
        // 62,000 characters: 1,000 of each expected, a standard deviation of about 31.
        #expect(counts.count == 62)
        #expect(counts.values.allSatisfy { (850...1150).contains($0) }, "\(counts.sorted { $0.value > $1.value }.prefix(3))")
    }
}
