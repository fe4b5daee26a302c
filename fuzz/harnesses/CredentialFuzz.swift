// libFuzzer entry for credential headers: the first half of the input is an Authorization header,
// the rest an X-API-Key header; extraction either finds a credential or refuses with a reason.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let half = size / 2
    let authorization = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<half]), as: UTF8.self)
    let apiKey = String(decoding: UnsafeBufferPointer(rebasing: bytes[half...]), as: UTF8.self)
    _ = PresentedCredential.extract(authorization: authorization.isEmpty ? nil : authorization, xAPIKey: apiKey)
    return 0
}
