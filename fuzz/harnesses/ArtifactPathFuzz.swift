// libFuzzer entry for artifact paths: whatever a client sends, an accepted path has only plain
// segments (no '.', '..', empty, backslash or control characters), and its owner, when it has one,
// names the experiment exactly as written.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for parsed in [try? ArtifactPath.parse(decoded: text), try? ArtifactPath.parse(percentEncoded: Substring(text))] {
        guard let path = parsed else { continue }
        for segment in path.segments {
            precondition(!segment.isEmpty && segment != "." && segment != "..", "unsafe segment in \(path)")
            precondition(!segment.unicodeScalars.contains(where: ArtifactPath.isForbidden), "forbidden character in \(path)")
        }
        if let owner = ArtifactOwner(path: path) {
            precondition(path.hasPrefix(owner.root) || owner.root.hasPrefix(path), "owner \(owner) outside \(path)")
        }
    }
    return 0
}
