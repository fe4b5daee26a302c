import Foundation

/// When a failed webhook delivery is tried again: exponential backoff from `initialDelay`,
/// capped at `maximumDelay`, with ±20 % jitter so a receiver coming back is not hit by every
/// pending event at once; after `giveUpAfter` since the event was created it is dead.
public struct RetryPolicy: Sendable, Equatable {
    public var initialDelayMillis: Int64
    public var maximumDelayMillis: Int64
    public var giveUpAfterMillis: Int64

    public init(initialDelayMillis: Int64 = 2000, maximumDelayMillis: Int64 = 3_600_000, giveUpAfterMillis: Int64 = 86_400_000) {
        self.initialDelayMillis = initialDelayMillis
        self.maximumDelayMillis = maximumDelayMillis
        self.giveUpAfterMillis = giveUpAfterMillis
    }

    /// The time of the next attempt after `attempts` failed ones, or nil when the event is to be given up.
    public func nextAttempt(
        afterFailedAttempts attempts: Int, createdAt: Int64, now: Int64, jitter: Double = Double.random(in: -0.2...0.2)
    ) -> Int64? {
        let exponent = min(max(attempts - 1, 0), 40)
        let base = min(Double(initialDelayMillis) * pow(2, Double(exponent)), Double(maximumDelayMillis))
        let next = now + Int64(base * (1 + jitter))
        return next - createdAt > giveUpAfterMillis ? nil : next
    }
}

/// Where webhooks may go. Targets are configured, never sent by clients, but a mistyped or
/// planted URL must still not turn the server against its own host or its cloud's metadata
/// service (the reference MLflow's webhook SSRF, CVE-2026-2393): loopback, link-local and
/// metadata addresses are refused unless explicitly allowed (tests allow loopback).
public enum WebhookTargetPolicy {
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// How a target is named in errors anyone may read: scheme, host and port only, since a
    /// webhook's path or query can carry a secret.
    public static func displayName(_ target: String) -> String {
        guard let url = URL(string: target), let scheme = url.scheme, let host = url.host else { return "the webhook" }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }

    /// Checks a configured URL's form and, when its host is an address literal, the address.
    public static func check(url text: String, allowLoopback: Bool) throws(Refusal) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { throw Refusal(description: "webhook URL '\(text)' must be an http:// or https:// URL with a host") }
        guard url.user == nil, url.password == nil else {
            throw Refusal(description: "webhook URL must not carry credentials; use the webhook secret")
        }
        let lowered = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if lowered == "localhost" || lowered.hasSuffix(".localhost") {
            if !allowLoopback { throw Refusal(description: "webhook URL '\(text)' points at this host (loopback)") }
        }
        if metadataHosts.contains(lowered) {
            throw Refusal(description: "webhook URL '\(text)' points at a cloud metadata service")
        }
        try check(address: lowered, url: text, allowLoopback: allowLoopback)
        return url
    }

    /// Checks one address (a literal in the URL, or what its host name resolved to).
    public static func check(address: String, url: String, allowLoopback: Bool) throws(Refusal) {
        switch classify(address) {
        case .loopback where !allowLoopback:
            throw Refusal(description: "webhook URL '\(url)' resolves to a loopback address (\(address))")
        case .linkLocal: throw Refusal(description: "webhook URL '\(url)' resolves to a link-local address (\(address))")
        case .metadata: throw Refusal(description: "webhook URL '\(url)' resolves to a cloud metadata address (\(address))")
        case .unspecified: throw Refusal(description: "webhook URL '\(url)' resolves to an unspecified address (\(address))")
        default: return
        }
    }

    static let metadataHosts: Set<String> = [
        "metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal",
    ]
    static let metadataAddresses: Set<String> = [
        "169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254", "168.63.129.16",
    ]

    enum AddressClass { case loopback, linkLocal, metadata, unspecified, other, notAnAddress }

    static func classify(_ address: String) -> AddressClass {
        if metadataAddresses.contains(address) { return .metadata }
        let v4 = address.split(separator: ".", omittingEmptySubsequences: false)
        if v4.count == 4, let octets = Optional(v4.compactMap { UInt8($0) }), octets.count == 4 {
            switch (octets[0], octets[1]) {
            case (127, _): return .loopback
            case (169, 254): return .linkLocal
            case (0, _): return .unspecified
            default: return .other
            }
        }
        guard address.contains(":") else { return .notAnAddress }
        let lowered = address.lowercased()
        if lowered == "::1" || lowered == "0:0:0:0:0:0:0:1" { return .loopback }
        if lowered == "::" { return .unspecified }
        if lowered.hasPrefix("fe8") || lowered.hasPrefix("fe9") || lowered.hasPrefix("fea") || lowered.hasPrefix("feb") {
            return .linkLocal
        }
        if lowered.hasPrefix("::ffff:") { return classify(String(lowered.dropFirst("::ffff:".count))) }
        return .other
    }
}
