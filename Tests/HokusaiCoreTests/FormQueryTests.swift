import Foundation
import Testing

@testable import HokusaiCore

/// The query-string rules of HTML forms and Python's `requests`, checked against what Foundation's
/// `removingPercentEncoding` answers for the same text (the decoder this one replaced).
@Suite struct FormQueryTests {
    @Test(arguments: [
        "plain", "name+DESC", "a%20b", "%27%25%27", "caf%C3%A9", "%e4%b8%ad", "100%", "%zz", "a%2", "%C3", "%FF%FE",
        "50%25+off", "%2B+%2b", "", "%",
    ])
    func decodingMatchesFoundation(text: String) {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        #expect(FormQuery.decode(text[...]) == (spaced.removingPercentEncoding ?? spaced))
    }

    @Test func repeatedKeysKeepTheirOrderAndEmptyPairsAreSkipped() {
        let items = FormQuery.items("order_by=name+DESC&&order_by=b&flag&x=%3D")
        #expect(items.map(\.name) == ["order_by", "order_by", "flag", "x"])
        #expect(items.map(\.value) == ["name DESC", "b", "", "="])
    }

    /// Found by fuzz/run: `&` before a combining mark is one Swift character, yet a separator.
    @Test func separatorsAreBytesNotCharacters() {
        let items = FormQuery.items("a=1&\u{301}b=2+3&c\u{301}=\u{301}x")
        #expect(items.map(\.name) == ["a", "\u{301}b", "c\u{301}"])
        #expect(items.map(\.value) == ["1", "2 3", "\u{301}x"])
    }
}
