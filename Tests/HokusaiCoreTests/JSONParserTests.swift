import Foundation
import Testing

@testable import HokusaiCore

@Suite struct JSONParserTests {
    func parse(_ text: String) throws(JSONParser.SyntaxError) -> JSONAny { try JSONParser.parse(Array(text.utf8)) }

    @Test func valuesKeepTheirJSONTypes() throws {
        let parsed = try parse(
            #" {"i": 31, "neg": -7, "d": 0.5, "e": 1e3, "big": 12345678901234567890, "t": true, "f": false, "n": null, "s": "x", "a": [1, "2", []], "o": {}} "#
        )
        guard case .object(let fields) = parsed else {
            Issue.record("not an object")
            return
        }
        #expect(fields["i"] == .int(31) && fields["neg"] == .int(-7))
        #expect(fields["d"] == .double(0.5) && fields["e"] == .double(1000))
        #expect(fields["big"] == .double(12_345_678_901_234_567_168), "too large for Int64: a double, as JSON allows")
        #expect(fields["t"] == .bool(true) && fields["f"] == .bool(false) && fields["n"] == .null)
        #expect(fields["a"] == .array([.int(1), .string("2"), .array([])]) && fields["o"] == .object([:]))
    }

    @Test func integersAreExactToTheEdgesOfInt64() throws {
        #expect(try parse("999999999999999999") == .int(999_999_999_999_999_999))
        #expect(try parse("-999999999999999999") == .int(-999_999_999_999_999_999))
        #expect(try parse("9223372036854775807") == .int(.max))
        #expect(try parse("-9223372036854775808") == .int(.min))
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parse("-0") == .int(0) && (try parse("[0,7]")) == .array([.int(0), .int(7)]))
    }

    @Test func nonASCIIKeysAndValuesAreValidatedAndKept() throws {
        #expect(try parse(#"{"ключ":"值 ✓","k":"plain"}"#) == .object(["ключ": .string("值 ✓"), "k": .string("plain")]))
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(Array(#"{"a":""#.utf8) + [0xC3, 0x28, 0x22, 0x7D]) }
    }

    @Test func stringsDecodeEveryEscape() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try parse(#""\u00e9\u4e2d\ud83d\ude00""#) == .string("é中😀"))
        #expect(try parse("\"日本語 ✓\"") == .string("日本語 ✓"))
    }

    @Test func aRepeatedKeyIsRefusedAndNamed() throws {
        #expect(throws: JSONParser.SyntaxError(message: "Duplicate key 'k' in an object", offset: 12)) {
            try parse(#"{"k":1,"k":2}"#)
        }
        #expect(throws: JSONParser.SyntaxError.self) { try parse(#"[{"a":{"b":1,"b":1}}]"#) }
        #expect(try parse(#"[{"k":1},{"k":2}]"#) == .array([.object(["k": .int(1)]), .object(["k": .int(2)])]))
    }

    @Test(arguments: [
        "", "{", "[1,]", #"{"a":1,}"#, "{'a':1}", "NaN", "[Infinity]", "01", "1.", ".5", "-", "1e", "tru", "nul",
        #""\x""#, #""\ud800""#, #""\udc00x""#, "\"a\u{01}b\"", "[1] 2", "{\"a\" 1}", "1e999", "\"open",
    ])
    func malformedInputIsRefused(text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try parse(text) }
    }

    @Test func invalidUTF8AndDeepNestingAreRefused() {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.SyntaxError.self) { try parse(deep) }
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect((try? parse(fine)) != nil)
    }

    @Test func aLogBatchBodyReadsAsFoundationReadsIt() throws {
        let body = #"{"run_id":"abc","metrics":[{"key":"m","value":0.25,"timestamp":1700000000000,"step":3}],"tags":[]}"#
        let theirs = try JSONDecoder().decode(JSONAny.self, from: Data(body.utf8))
        #expect(try parse(body) == theirs)
        #expect(try parse(#"[-0, 0.0, -1.5e-3, 2E+2]"#) == .array([.int(0), .double(0), .double(-0.0015), .double(200)]))
    }

    @Test func errorsSayWhereTheProblemIs() {
        do {
            _ = try parse(#"{"a": [1, 2,, 3]}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.offset == 12 && error.description.contains("at byte 12"))
        }
    }
}
