// libFuzzer entry for X-Forwarded-For: whatever the header holds, the client address chosen is an
// IP literal (or the peer), never client-written text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let rule = ClientAddressRule(trustedProxies: [CIDRBlock("10.0.0.0/8")!, CIDRBlock("::1")!])
    for peer in ["10.0.0.1", "::1", "192.0.2.1"] {
        let chosen = rule.clientAddress(peer: peer, forwardedFor: text)
        precondition(IPAddress(chosen) != nil, "not an address: \(chosen)")
    }
    _ = CIDRBlock(text)
    _ = ClientAddressRule.parseTrustedProxies(text)
    return 0
}
