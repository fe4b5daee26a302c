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

    /// Strings are checked for bytes to escape eight at a time: a quote, a backslash or a control
    /// byte is found at every offset of a word and in the bytes after the last whole word, and
    /// bytes of 0x80 and up (UTF-8 beyond ASCII) and the printable ones around them are not.
    @Test func everyByteThatNeedsEscapingIsFoundWhereverItIs() throws {
        let clean = Array("abcdefghijklmnopqrstuvw é 模 ~!#$%&'()*+,-./09:;<=>?@[]^_`{|}\u{7F}".utf8)
        #expect(!clean.withUnsafeBufferPointer(JSONWriter.anyNeedsEscaping))
        for special: UInt8 in [0x00, 0x01, 0x0A, 0x1F, UInt8(ascii: "\""), UInt8(ascii: "\\")] {
            for position in 0..<19 {
                var bytes = Array(repeating: UInt8(ascii: "x"), count: 19)
                bytes[position] = special
                #expect(bytes.withUnsafeBufferPointer(JSONWriter.anyNeedsEscaping), "byte \(special) at \(position)")
                let text = String(decoding: bytes, as: UTF8.self)
                let written = self.text(.string(text))
                #expect(try JSONSerialization.jsonObject(with: Data(written.utf8), options: .fragmentsAllowed) as? String == text)
            }
        }
        for neighbour: UInt8 in [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x80, 0xFF] {
            let bytes = Array(repeating: neighbour, count: 16)
            #expect(!bytes.withUnsafeBufferPointer(JSONWriter.anyNeedsEscaping), "byte \(neighbour)")
        }
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

    /// `JSONOutput` writes what `JSONWriter` writes for the same tree: commas between elements at
    /// every depth, none after a key or at the start of a container, empty containers, and
    /// pre-written JSON copied in as it is.
    @Test func streamedOutputMatchesTheTreeWriter() {
        let tree = JSONValue.object([
            ("empty", .object([])),
            ("list", .array([.int(1), .object([("k", .string("v \" q"))]), .array([]), .array([.null, .bool(true)])])),
            ("after", .double(0.5)),
            ("nested", .object([("a", .object([("b", .array([.string("x")]))])), ("c", .int64(-3))])),
        ])
        var output = JSONOutput()
        output.beginObject()
        output.key("empty")
        output.beginObject()
        output.endObject()
        output.key("list")
        output.beginArray()
        output.value(.int(1))
        output.beginObject()
        output.field("k", "v \" q")
        output.endObject()
        output.beginArray()
        output.endArray()
        output.value(.array([.null, .bool(true)]))
        output.endArray()
        output.field("after", .double(0.5))
        output.key("nested")
        output.beginObject()
        output.key("a")
        output.value(.encoded(JSONWriter.bytes(.object([("b", .array([.string("x")]))]))))
        output.field("c", .int64(-3))
        output.endObject()
        output.endObject()
        #expect(String(decoding: output.bytes, as: UTF8.self) == text(tree))
    }
}
