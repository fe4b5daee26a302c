import Foundation
import Testing

@testable import HokusaiCore

@Suite struct JSONWriterTests {
    func text(_ value: JSONValue) -> String { String(decoding: JSONWriter.bytes(value), as: UTF8.self) }

    @Test func objectsKeepTheirFieldOrder() {
        #expect(text(.object([("b", .int(1)), ("a", .int(2))])) == #"{"b":1,"a":2}"#)
    }

    @Test func stringsAreEscaped() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{07} café"
        let written = text(.string(tricky))
        #expect(try JSONSerialization.jsonObject(with: Data(written.utf8), options: .fragmentsAllowed) as? String == tricky)
        #expect(written.contains("\\u0007"))
    }

    @Test func doublesFollowMLflowsWireFormat() {
        #expect(text(.double(1)) == "1.0")
        #expect(text(.double(0.1)) == "0.1")
        #expect(text(.double(.nan)) == #""NaN""#)
        #expect(text(.double(.infinity)) == #""Infinity""#)
        #expect(text(.double(-.infinity)) == #""-Infinity""#)
        #expect(text(.double(.greatestFiniteMagnitude)) == "1.7976931348623157e+308")
        #expect(text(.int64(1 << 53)) == "9007199254740992")
    }
}
