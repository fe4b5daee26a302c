import Foundation

/// Where webhooks may go. Targets are configured, never sent by clients, but a mistyped or
/// planted URL must still not turn the server against its own host or its cloud's metadata
/// service (the reference MLflow's webhook SSRF, CVE-2026-2393). Addresses are judged by their
/// bytes, never by how they are spelt: `127.1`, `0x7f000001`, `2130706433`, `0177.0.0.1`,
/// `[::ffff:7f00:1]` and `localhost.` are all this host once resolved, and so is any address of
/// one of this host's own interfaces.
public enum WebhookTargetPolicy {
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// What a target may reach besides the public internet.
    public struct Allowance: Sendable, Equatable {
        /// This host: loopback and its own interfaces' addresses (tests, a local sidecar).
        public var thisHost: Bool
        /// Private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7): allowed unless denied.
        public var privateRanges: Bool
        /// The addresses of this host's own interfaces.
        public var hostAddresses: Set<IPAddress>

        public init(thisHost: Bool = false, privateRanges: Bool = true, hostAddresses: Set<IPAddress> = []) {
            self.thisHost = thisHost
            self.privateRanges = privateRanges
            self.hostAddresses = hostAddresses
        }
    }

    /// How a target is named in errors anyone may read: scheme, host and port only, since a
    /// webhook's path or query can carry a secret.
    public static func displayName(_ target: String) -> String {
        guard let url = URL(string: target), let scheme = url.scheme, let host = url.host else { return "the webhook" }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }

    /// Checks a configured URL's form and, when its host is an address literal, the address.
    /// Other hosts are checked by what they resolve to (`check(address:…)`), at start and at
    /// every delivery.
    public static func check(url text: String, allowance: Allowance) throws(Refusal) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { throw Refusal(description: "webhook URL '\(text)' must be an http:// or https:// URL with a host") }
        guard url.user == nil, url.password == nil else {
            throw Refusal(description: "webhook URL must not carry credentials; use the webhook secret")
        }
        var name = Substring(host.lowercased())
        if name.hasPrefix("["), name.hasSuffix("]") { name = name.dropFirst().dropLast() }
        while name.hasSuffix(".") { name = name.dropLast() }
        if name == "localhost" || name.hasSuffix(".localhost"), !allowance.thisHost {
            throw Refusal(description: "webhook URL '\(text)' points at this host (loopback)")
        }
        if metadataHosts.contains(String(name)) {
            throw Refusal(description: "webhook URL '\(text)' points at a cloud metadata service")
        }
        if let address = IPAddress(name) { try check(address: address, url: text, allowance: allowance) }
        return url
    }

    /// Checks one address: a literal in the URL, or one its host name resolved to.
    public static func check(address: IPAddress, url: String, allowance: Allowance) throws(Refusal) {
        let reason: String
        switch classify(address, hostAddresses: allowance.hostAddresses) {
        case .loopback where !allowance.thisHost: reason = "a loopback address"
        case .thisHost where !allowance.thisHost: reason = "an address of this host"
        case .privateRange where !allowance.privateRanges: reason = "a private address (--webhook-deny-private)"
        case .linkLocal: reason = "a link-local address"
        case .metadata: reason = "a cloud metadata address"
        case .unspecified: reason = "an unspecified address"
        default: return
        }
        throw Refusal(description: "webhook URL '\(url)' resolves to \(reason) (\(address))")
    }

    static let metadataHosts: Set<String> = [
        "metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal",
    ]
    static let metadataAddresses: Set<IPAddress> = Set(
        ["169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254", "168.63.129.16"].compactMap {
            IPAddress($0)
        })

    enum AddressClass { case loopback, thisHost, linkLocal, metadata, unspecified, privateRange, other }

    static let blocks: [(block: CIDRBlock, kind: AddressClass)] = {
        let table: [(String, AddressClass)] = [
            ("127.0.0.0/8", .loopback), ("::1/128", .loopback), ("0.0.0.0/8", .unspecified), ("::/128", .unspecified),
            ("169.254.0.0/16", .linkLocal), ("fe80::/10", .linkLocal), ("10.0.0.0/8", .privateRange),
            ("172.16.0.0/12", .privateRange), ("192.168.0.0/16", .privateRange), ("100.64.0.0/10", .privateRange),
            ("fc00::/7", .privateRange),
        ]
        return table.map { (CIDRBlock($0.0)!, $0.1) }
    }()

    static func classify(_ address: IPAddress, hostAddresses: Set<IPAddress>) -> AddressClass {
        if metadataAddresses.contains(address) { return .metadata }
        let found = blocks.first { $0.block.contains(address) }?.kind
        if found == .loopback || found == .unspecified { return found! }
        if hostAddresses.contains(address) { return .thisHost }
        return found ?? .other
    }
}
