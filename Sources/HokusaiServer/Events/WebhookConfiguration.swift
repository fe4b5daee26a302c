import HokusaiCore

/// Where registration events go and how hard the server tries. Targets come from configuration
/// only (`--webhook-url`, repeatable), never from a request.
public struct WebhookConfiguration: Sendable {
    /// Receivers of every event. With none configured, events stay queued until one is.
    public var urls: [String] = []
    /// Signs each body as `X-Hokusai-Signature: sha256=<hex HMAC-SHA256>`; unsigned when nil.
    public var secret: String?
    public var retry = RetryPolicy()
    /// Per delivery attempt. Default 30 s, as the reference.
    public var attemptTimeoutSeconds: Int64 = 30
    /// Allows targets on this host: loopback and its own interfaces' addresses (tests, a receiver on
    /// the same host). Link-local, unspecified and metadata addresses are refused always.
    public var allowLoopback = false
    /// Refuses targets in private ranges too (`--webhook-deny-private`); they are allowed by default,
    /// since a receiver inside the same network is common.
    public var denyPrivate = false
    /// How often the outbox is checked for due events.
    public var pollInterval: Duration = .milliseconds(500)

    public init() {}

    /// Checks every configured URL, resolving its host; the server refuses to start on a bad one.
    public func validatedTargets() throws -> [String] {
        try urls.map { url in
            if let refusal = WebhookTargetCheck.refusal(of: url, configuration: self) {
                throw ConfigurationError(description: refusal)
            }
            return url
        }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
}
