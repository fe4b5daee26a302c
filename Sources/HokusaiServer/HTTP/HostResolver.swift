import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The system resolver's answer for a host name: its addresses (numeric, each once, in the
/// resolver's order), or the resolver's own words for why there are none. Used where the answer
/// matters itself: webhook targets are refused by address, and `hokusai doctor` reports DNS.
public enum HostResolver {
    public static func addresses(of host: String) -> Result<[String], ResolutionFailure> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &results)
        guard status == 0 else { return .failure(ResolutionFailure(reason: String(cString: gai_strerror(status)))) }
        defer { freeaddrinfo(results) }
        var addresses: [String] = []
        var cursor = results
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(
                entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST)
                == 0
            {
                let address = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !addresses.contains(address) { addresses.append(address) }
            }
            cursor = entry.pointee.ai_next
        }
        return .success(addresses)
    }

    public struct ResolutionFailure: Error {
        public let reason: String
    }
}
