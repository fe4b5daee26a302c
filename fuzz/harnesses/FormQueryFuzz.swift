// libFuzzer entry for query strings: decoding never fails, and in text without '%' or '+' every
// decoded name and value is a run of the text's own bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let items = FormQuery.items(text)
    let bytes = Array(text.utf8)
    if !bytes.contains(UInt8(ascii: "%")) && !bytes.contains(UInt8(ascii: "+")) {
        for item in items {
            for part in [Array(item.name.utf8), Array(item.value.utf8)] where !part.isEmpty {
                precondition(
                    bytes.indices.contains { bytes[$0...].starts(with: part) }, "'\(part)' is not in the query")
            }
        }
    }
    return 0
}
