import ArgumentParser
import Foundation
import HokusaiCore
import HokusaiServer
import HokusaiStore
import Hummingbird

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Start the server. On a store without keys, the first start creates an admin key and prints it once.")

    @Option(help: "Address to listen on (env HOKUSAI_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (env HOKUSAI_PORT; default 8001).")
    var port: Int?

    @OptionGroup var store: StoreOptions
    @OptionGroup var logging: LoggingOptions

    @Option(
        name: .customLong("key-cache-ms"),
        help:
            "How long a found key is reused before the store is asked again; on PostgreSQL a change from any replica clears it at once (env HOKUSAI_KEY_CACHE_MS; default 2000)."
    )
    var keyCacheMillis: Int?

    @Option(
        name: .customLong("shared-rate-limits"),
        help:
            "On PostgreSQL, count each key's hourly limit across all replicas (counters in the store, reserved up to 256 requests at a time) rather than per replica (env HOKUSAI_SHARED_RATE_LIMITS; default true)."
    )
    var sharedRateLimits: Bool?

    @Option(
        name: .customLong("failed-auth-limit"),
        help: "Failed key checks allowed per address in the minute after its first (env HOKUSAI_FAILED_AUTH_LIMIT; default 30).")
    var failedAuthLimit: Int?

    @Option(
        name: .customLong("trust-forwarded-for"),
        help:
            "Behind one proxy: take the client address from the last X-Forwarded-For entry, the one the proxy added (env HOKUSAI_TRUST_FORWARDED_FOR; default false)."
    )
    var trustForwardedFor: Bool?

    @Option(
        name: .customLong("trusted-proxies"),
        help:
            "Comma-separated CIDR blocks or addresses of proxies whose X-Forwarded-For entries are believed; the client is the rightmost untrusted entry (env HOKUSAI_TRUSTED_PROXIES; default none)."
    )
    var trustedProxies: String?

    @Option(
        name: .customLong("artifacts-dir"),
        help: "Folder of the local artifact store (env HOKUSAI_ARTIFACTS_DIR; default <data-dir>/artifacts).")
    var artifactsDirectory: String?

    @Option(
        name: .customLong("artifacts-destination"),
        help:
            "s3://BUCKET[/PREFIX]: keep artifacts in an S3-compatible bucket instead of --artifacts-dir; credentials, region and endpoint from the AWS variables (env HOKUSAI_ARTIFACTS_DESTINATION; default none)."
    )
    var artifactsDestination: String?

    @Option(
        name: .customLong("s3-addressing-style"),
        help:
            "path (endpoint/bucket/key), virtual (bucket.endpoint/key) or auto: path when AWS_ENDPOINT_URL(_S3) is set (env HOKUSAI_S3_ADDRESSING_STYLE; default auto)."
    )
    var s3AddressingStyle: String?

    @Option(
        name: .customLong("max-upload-bytes"),
        help:
            "Largest artifact one upload may carry; larger ones get 413 (env HOKUSAI_MAX_UPLOAD_BYTES; default 5368709120, 5 GiB)."
    )
    var maximumUploadBytes: Int?

    @Option(
        name: .customLong("idle-timeout"),
        help:
            "Seconds a connection may send nothing, mid-request or between requests, before it is closed (env HOKUSAI_IDLE_TIMEOUT; default 120)."
    )
    var idleTimeout: Int?

    @Option(
        name: .customLong("max-connections"),
        help: "Connections open at once; past it new ones are closed at accept (env HOKUSAI_MAX_CONNECTIONS; default 10000).")
    var maximumConnections: Int?

    @Option(
        name: .customLong("max-connections-per-address"),
        help:
            "Connections open at once from one client address, the socket's peer (raise it behind a load balancer) (env HOKUSAI_MAX_CONNECTIONS_PER_ADDRESS; default 1000)."
    )
    var maximumConnectionsPerAddress: Int?

    @Option(
        name: .customLong("request-head-timeout"),
        help:
            "Seconds a request's line and headers may take to arrive; past it the client gets 408 (env HOKUSAI_REQUEST_HEAD_TIMEOUT; default 30)."
    )
    var requestHeadTimeout: Int?

    @Option(
        name: .customLong("mlflow-ui"),
        help:
            "The MLflow UI at / and /api/mlflow/: a compiled build folder (mlflow/server/js/build), auto (the one inside the mlflow package python3 imports) or off (env HOKUSAI_MLFLOW_UI; default auto)."
    )
    var mlflowUI: String?

    @Option(
        name: .customLong("session-hours"),
        help: "How long a browser stays signed in after pasting its key on /signin (env HOKUSAI_SESSION_HOURS; default 12).")
    var sessionHours: Int?

    @OptionGroup var webhooks: WebhookOptions
    @OptionGroup var deployment: DeploymentOptions

    func run() async throws {
        MallocTuning.applyForServing()
        var configuration = AppConfiguration()
        configuration.host = Setting.string(host, env: "HOKUSAI_HOST") ?? "127.0.0.1"
        configuration.port = try Setting.int(port, env: "HOKUSAI_PORT", default: 8001)
        configuration.keyCacheMillis = try Setting.positive(
            keyCacheMillis, env: "HOKUSAI_KEY_CACHE_MS", default: 2_000, flagName: "--key-cache-ms")
        configuration.sharedRateLimits = try Setting.bool(
            sharedRateLimits, env: "HOKUSAI_SHARED_RATE_LIMITS", default: true)
        configuration.failedAttemptLimit = try Setting.int(failedAuthLimit, env: "HOKUSAI_FAILED_AUTH_LIMIT", default: 30)
        let trustsOneHop = try Setting.bool(trustForwardedFor, env: "HOKUSAI_TRUST_FORWARDED_FOR", default: false)
        var proxies: [CIDRBlock] = []
        if let raw = Setting.string(trustedProxies, env: "HOKUSAI_TRUSTED_PROXIES") {
            switch ClientAddressRule.parseTrustedProxies(raw) {
            case .success(let blocks): proxies = blocks
            case .failure(let failure):
                throw ValidationError(
                    "--trusted-proxies (HOKUSAI_TRUSTED_PROXIES): '\(failure.entry)' is not an IP address or CIDR block")
            }
        }
        configuration.clientAddressRule = ClientAddressRule(trustedProxies: proxies, trustsOneHop: trustsOneHop)
        configuration.artifactsDirectory =
            Setting.string(artifactsDirectory, env: "HOKUSAI_ARTIFACTS_DIR") ?? store.resolvedDataDirectory + "/artifacts"
        if let destination = Setting.string(artifactsDestination, env: "HOKUSAI_ARTIFACTS_DESTINATION") {
            do {
                configuration.artifactsDestination = try S3Configuration.fromEnvironment(
                    location: S3Location(parsing: destination),
                    addressingStyle: Setting.string(s3AddressingStyle, env: "HOKUSAI_S3_ADDRESSING_STYLE"))
            } catch {
                throw ValidationError("--artifacts-destination (HOKUSAI_ARTIFACTS_DESTINATION): \(error)")
            }
        }
        configuration.maximumUploadBytes = try Setting.positive(
            maximumUploadBytes, env: "HOKUSAI_MAX_UPLOAD_BYTES", default: 5 << 30, flagName: "--max-upload-bytes")
        configuration.idleTimeoutSeconds = Int(
            try Setting.positive(idleTimeout, env: "HOKUSAI_IDLE_TIMEOUT", default: 120, flagName: "--idle-timeout"))
        configuration.maximumConnections = Int(
            try Setting.positive(
                maximumConnections, env: "HOKUSAI_MAX_CONNECTIONS", default: 10_000, flagName: "--max-connections"))
        configuration.maximumConnectionsPerAddress = Int(
            try Setting.positive(
                maximumConnectionsPerAddress, env: "HOKUSAI_MAX_CONNECTIONS_PER_ADDRESS", default: 1_000,
                flagName: "--max-connections-per-address"))
        configuration.requestHeadTimeoutSeconds = Int(
            try Setting.positive(
                requestHeadTimeout, env: "HOKUSAI_REQUEST_HEAD_TIMEOUT", default: 30, flagName: "--request-head-timeout"))
        configuration.browserSessionSeconds =
            try Setting.positive(sessionHours, env: "HOKUSAI_SESSION_HOURS", default: 12, flagName: "--session-hours") * 3600
        configuration.webhooks = try webhooks.configuration()
        try deployment.apply(to: &configuration)
        guard (0...65535).contains(configuration.port) else { throw ValidationError("port must be 0 to 65535") }
        configuration.logLevel = try logging.level()
        let logger = try logging.makeLogger()
        if configuration.role != .auth {
            configuration.mlflowUIDirectory = MLflowUILocator.resolve(
                .init(Setting.string(mlflowUI, env: "HOKUSAI_MLFLOW_UI")), logger: logger)
        }

        let location = try store.location()
        // Held until the process ends: one server per SQLite file (replicas need PostgreSQL).
        var sqliteLock: SQLiteServeLock?
        if case .sqlite(let path) = location {
            do {
                sqliteLock = try SQLiteServeLock.acquire(databasePath: path)
            } catch {
                throw CommandFailure("cannot open the store: \(error)")
            }
        }
        defer { withExtendedLifetime(sqliteLock) {} }
        let prepared: PreparedStore
        do {
            prepared = try await StorePreparation.prepare(
                location: location, issueFirstKey: configuration.remoteAuth == nil, logger: logger)
        } catch {
            throw CommandFailure("cannot open the store: \(error)")
        }
        logger.info("store ready", metadata: ["store": "\(prepared.database.displayName)"])

        let host = configuration.host
        let firstKey = prepared.firstAdminKey
        // The application owns the store once built; if building fails, closing it is ours to do.
        let built = Result {
            try buildApplication(configuration: configuration, database: prepared.database, logger: logger) { port in
                logger.info("listening", metadata: ["url": "http://\(host):\(port)"])
                if let firstKey {
                    FirstKeyBanner.print(key: firstKey.apiKey, baseURL: "http://\(host):\(port)")
                }
            }
        }
        switch built {
        case .failure(let error):
            await prepared.database.close()
            throw CommandFailure("cannot start: \(error)")
        case .success(let app):
            try await app.runService()
        }
    }
}

/// The only place the first admin key is ever shown.
enum FirstKeyBanner {
    static func print(key: String, baseURL: String) {
        let text = """

            ==============================================================================
             First start: created an admin API key. It is shown only this once; store it
             now (it cannot be recovered, only rotated or replaced):

               \(key)

             Try it:  export HOKUSAI_API_KEY=\(key)
                      curl -H "Authorization: Bearer $HOKUSAI_API_KEY" \(baseURL)/api/v1/keys
            ==============================================================================


            """
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
