// libFuzzer entry for `JSONParser`: any bytes either parse or throw a SyntaxError; nothing else
// (a crash, a trap, an out-of-bounds read under ASan) is allowed. What parses is also converted to
// the response-side tree, as handlers do.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    _ = value.jsonValue
    return 0
}
