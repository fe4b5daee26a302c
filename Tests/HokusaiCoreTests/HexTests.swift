import Testing

@testable import HokusaiCore

@Suite struct HexTests {
    @Test func everyByteIsTwoLowercaseDigitsWithItsLeadingZero() {
        let bytes: [UInt8] = Array(0...255)
        let text = Hex.lowercase(bytes)
        #expect(text.count == 512)
        #expect(text.hasPrefix("000102030405060708090a0b0c0d0e0f10"))
        #expect(text.hasSuffix("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"))
        for byte in bytes {
            let start = text.index(text.startIndex, offsetBy: Int(byte) * 2)
            #expect(UInt8(text[start..<text.index(start, offsetBy: 2)], radix: 16) == byte)
        }
    }

    @Test func noBytesAreNoText() {
        #expect(Hex.lowercase([UInt8]()) == "")
    }
}
