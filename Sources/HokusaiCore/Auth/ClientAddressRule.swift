/// Which address a request comes from, when proxies stand in front of the server.
///
/// `X-Forwarded-For` is a list each proxy appends the address it received the request from to;
/// the client writes whatever it likes to the left of the first proxy's entry. So the list is read
/// from the right, as nginx's `real_ip_recursive` and Express's `trust proxy` read it: starting
/// from the connection's peer, each address that is a trusted proxy hands over to the entry on its
/// left, and the first one that is not trusted is the client. Entries that are not IP literals end
/// the walk (the last trusted hop is then the client): nothing but an address reaches the limits
/// and the audit log.
public struct ClientAddressRule: Sendable {
    /// Proxies whose `X-Forwarded-For` entries are believed.
    public let trustedProxies: [CIDRBlock]
    /// `--trust-forwarded-for`: the peer is one trusted proxy, whatever its address (one hop).
    public let trustsOneHop: Bool

    public init(trustedProxies: [CIDRBlock] = [], trustsOneHop: Bool = false) {
        self.trustedProxies = trustedProxies
        self.trustsOneHop = trustsOneHop
    }

    public var readsForwardedFor: Bool { trustsOneHop || !trustedProxies.isEmpty }

    /// The client's address, from the socket peer's and the `X-Forwarded-For` header(s), joined by commas.
    public func clientAddress(peer: String?, forwardedFor: String?) -> String {
        let peerAddress = peer.flatMap(IPAddress.init)
        let fallback = peerAddress?.description ?? peer ?? "unknown"
        guard readsForwardedFor, let forwardedFor, !forwardedFor.isEmpty else { return fallback }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingSpacesAndTabs() }
        if trustedProxies.isEmpty {
            // One hop: the peer is the proxy, and its entry is the last.
            return hops.last.flatMap(IPAddress.init)?.description ?? fallback
        }
        guard let peerAddress, isTrusted(peerAddress) else { return fallback }
        var client = peerAddress
        for hop in hops.reversed() {
            guard let address = IPAddress(hop) else { break }
            client = address
            if !isTrusted(address) { break }
        }
        return client.description
    }

    func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    /// `--trusted-proxies`: comma-separated CIDR blocks or addresses; names the first bad entry.
    public static func parseTrustedProxies(_ text: String) -> Result<[CIDRBlock], ParseFailure> {
        var blocks: [CIDRBlock] = []
        for entry in text.split(separator: ",").map({ $0.trimmingSpacesAndTabs() }) where !entry.isEmpty {
            guard let block = CIDRBlock(entry) else { return .failure(ParseFailure(entry: String(entry))) }
            blocks.append(block)
        }
        return .success(blocks)
    }

    public struct ParseFailure: Error, Equatable {
        public let entry: String
    }
}
