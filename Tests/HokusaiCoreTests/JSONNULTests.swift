import HokusaiCore
import Testing

@Suite struct JSONNULTests {
    @Test func thePathOfTheFirstNULIsNamedInSortedKeyOrder() throws {
        let body = try JSONParser.parse(
            Array(#"{"z":"\u0000","params":[{"key":"a","value":"ok"},{"key":"b","value":"x\u0000"}]}"#.utf8))
        #expect(body.pathOfNUL() == "params[1].value")
        #expect(try JSONParser.parse(Array(#""a\u0000""#.utf8)).pathOfNUL() == "body")
        #expect(try JSONParser.parse(Array(#"{"k\u0000":1}"#.utf8)).pathOfNUL() == #"k\u0000"#)
        #expect(try JSONParser.parse(Array(#"{"a":["\\u0000",1,null,{"b":true}]}"#.utf8)).pathOfNUL() == nil)
    }

    @Test func theScanFindsEveryEscapedNULAndPassesBodiesWithoutOne() {
        #expect(JSONAny.mayContainNUL(Array(#"{"a":"\u0000"}"#.utf8)))
        #expect(JSONAny.mayContainNUL(Array(#"\\u0000"#.utf8)), "a false alarm the tree walk clears")
        #expect(JSONAny.mayContainNUL(Array(#"\u\u0000"#.utf8)))
        #expect(JSONAny.mayContainNUL(Array(#""\u00000""#.utf8)))
        #expect(!JSONAny.mayContainNUL(Array(#"{"a":"\u0001","b":"u0000"}"#.utf8)))
    }
}
