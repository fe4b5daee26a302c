import HokusaiCore
import Logging

/// What one process serves (`hokusai serve --role`).
public enum ServerRole: String, Sendable, CaseIterable {
    /// Everything, with keys checked in this process's store. The default.
    case all
    /// The key service and probes only: what gateways validate keys with.
    case auth
    /// Everything but the key service; keys are checked by an auth service (`remoteAuth`), or, in
    /// front of an existing MLflow server without one, in this process's store.
    case gateway
}

/// Everything `buildApplication` needs to know. `hokusai serve` fills it from flags and
/// `HOKUSAI_*` environment variables; tests fill it directly.
public struct AppConfiguration: Sendable {
    /// Address to listen on. Default `127.0.0.1`.
    public var host: String = "127.0.0.1"
    /// Port to listen on. Default `8001`; `0` picks a free port.
    public var port: Int = 8001
    /// How often keys' `last_used_at` and authentication failures are written. Default 10 s.
    public var writeBehindInterval: Duration = .seconds(10)
    /// How long a found key's record is reused before the store is asked again. Changes made
    /// through this process clear it at once, and on PostgreSQL so do other replicas' changes.
    public var keyCacheMillis: Int64 = 2_000
    /// On PostgreSQL, whether replicas share each key's hourly limit (counters in the store,
    /// reserved in batches) rather than each counting its own. Default true.
    public var sharedRateLimits = true
    /// Failed authentication attempts allowed per client address per window. Default 30 per 60 s.
    public var failedAttemptLimit: Int = 30
    public var failedAttemptWindowSeconds: Int = 60
    /// How the client's address is found behind proxies (`--trusted-proxies`, `--trust-forwarded-for`).
    /// By default `X-Forwarded-For` is ignored: a client could otherwise pick its own address.
    public var clientAddressRule = ClientAddressRule()
    public var logLevel: Logger.Level = .info
    /// Folder of the local artifact store. Default `./hokusai-data/artifacts`.
    public var artifactsDirectory: String = "./hokusai-data/artifacts"
    /// An S3-compatible bucket for artifacts instead of the local folder (`--artifacts-destination`).
    public var artifactsDestination: S3Configuration?
    /// A connection that sends nothing for this long, mid-request or between requests, is closed:
    /// a stalled upload must not hold its connection (and staging file) forever. Default 120 s.
    public var idleTimeoutSeconds: Int = 120
    /// Connections open at once, in all and from one client address (the socket's peer); past
    /// either, a new connection is closed at accept. Defaults 10,000 and 1,000.
    public var maximumConnections = 10_000
    public var maximumConnectionsPerAddress = 1_000
    /// Seconds a request's head (request line and headers) may take to arrive, from its first
    /// byte or the connection's opening; past it the client gets 408. Default 30 s.
    public var requestHeadTimeoutSeconds = 30
    /// Largest artifact a single upload may carry; larger ones get 413. Default 5 GiB.
    public var maximumUploadBytes: Int64 = 5 << 30

    /// Webhook receivers of registration events, and how deliveries are retried.
    public var webhooks = WebhookConfiguration()

    public var role = ServerRole.all
    /// The auth service a gateway validates keys with; required for `.gateway`.
    public var remoteAuth: RemoteAuthConfiguration?
    /// A real MLflow server to front instead of this process's own tracking store and registry.
    public var mlflowUpstream: MLflowUpstreamConfiguration?
    /// The compiled MLflow UI to serve (`mlflow/server/js/build`); nil serves none (`--mlflow-ui off`).
    public var mlflowUIDirectory: String?
    /// How long a browser stays signed in (`--session-hours`).
    public var browserSessionSeconds: Int64 = BrowserSession.defaultLifetimeSeconds

    public init() {}
}
