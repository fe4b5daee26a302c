import HokusaiCore
import Testing

@Suite struct ByteRangeTests {
    @Test func singleRangesResolveAgainstTheFileSize() {
        #expect(ByteRange.parse("bytes=2-5")?.resolve(size: 10) == 2...5)
        #expect(ByteRange.parse("bytes=2-500")?.resolve(size: 10) == 2...9, "a last byte past the end is clipped")
        #expect(ByteRange.parse("bytes=7-")?.resolve(size: 10) == 7...9)
        #expect(ByteRange.parse("bytes=-3")?.resolve(size: 10) == 7...9)
        #expect(ByteRange.parse("bytes=-30")?.resolve(size: 10) == 0...9)
        #expect(ByteRange.parse(" BYTES=0-0 ")?.resolve(size: 1) == 0...0)
        #expect(ByteRange.parse("bytes=-3")?.headerValue == "bytes=-3")
        #expect(ByteRange.parse("bytes=7-")?.headerValue == "bytes=7-")
    }

    @Test func aRangeStartingPastTheEndIsUnsatisfiable() {
        #expect(ByteRange.parse("bytes=10-")?.resolve(size: 10) == nil)
        #expect(ByteRange.parse("bytes=-0")?.resolve(size: 10) == nil)
        #expect(ByteRange.parse("bytes=0-")?.resolve(size: 0) == nil)
    }

    @Test(arguments: [
        "bytes=0-1,4-5", "items=0-1", "bytes=5-2", "bytes=a-b", "bytes=-", "bytes=", "0-1", "bytes=1-2-3",
        "bytes=99999999999999999999-",
    ])
    func anythingElseServesTheWholeFile(header: String) {
        #expect(ByteRange.parse(header) == nil)
    }
}
