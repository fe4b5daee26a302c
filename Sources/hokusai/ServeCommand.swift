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
        name: .customLong("failed-auth-limit"),
        help: "Failed authentication attempts allowed per client address per minute (env HOKUSAI_FAILED_AUTH_LIMIT; default 30).")
    var failedAuthLimit: Int?

    @Option(
        name: .customLong("trust-forwarded-for"),
        help:
            "Take the client address from X-Forwarded-For, behind a load balancer (env HOKUSAI_TRUST_FORWARDED_FOR; default false)."
    )
    var trustForwardedFor: Bool?

    @Option(
        name: .customLong("artifacts-dir"),
        help: "Folder of the local artifact store (env HOKUSAI_ARTIFACTS_DIR; default <data-dir>/artifacts).")
    var artifactsDirectory: String?

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
        name: .customLong("webhook-url"),
        help: "Receiver of registration events; repeat for several (env HOKUSAI_WEBHOOK_URLS, comma-separated).")
    var webhookURLs: [String] = []

    @Option(
        name: .customLong("webhook-secret"),
        help: "Secret for X-Hokusai-Signature (env HOKUSAI_WEBHOOK_SECRET; prefer the variable: flags show in ps).")
    var webhookSecret: String?

    @Option(
        name: .customLong("webhook-retry-seconds"),
        help: "How long a failing event is retried before it is marked dead (env HOKUSAI_WEBHOOK_RETRY_SECONDS; default 86400).")
    var webhookRetrySeconds: Int?

    @Option(
        name: .customLong("webhook-timeout"),
        help: "Seconds per delivery attempt (env HOKUSAI_WEBHOOK_TIMEOUT; default 30).")
    var webhookTimeout: Int?

    @Option(
        name: .customLong("webhook-allow-loopback"),
        help: "Allow webhook URLs on this host's loopback (env HOKUSAI_WEBHOOK_ALLOW_LOOPBACK; default false).")
    var webhookAllowLoopback: Bool?

    @Option(help: "What this process serves: all (default), auth (the key service only) or gateway (env HOKUSAI_ROLE).")
    var role: String?

    @Option(
        name: .customLong("auth-url"),
        help: "The auth service a gateway validates keys with, e.g. http://auth:8001 (env HOKUSAI_AUTH_URL).")
    var authURL: String?

    @Option(name: .customLong("auth-timeout-ms"), help: "Per validation call (env HOKUSAI_AUTH_TIMEOUT_MS; default 2000).")
    var authTimeoutMillis: Int?

    @Option(
        name: .customLong("auth-cache-ttl"),
        help:
            "Seconds a gateway trusts a valid key without asking again: the bound on revocation delay (env HOKUSAI_AUTH_CACHE_TTL; default 60)."
    )
    var authCacheTTL: Int?

    @Option(
        name: .customLong("auth-negative-ttl"),
        help: "Seconds a refused key is remembered (env HOKUSAI_AUTH_NEGATIVE_TTL; default 5).")
    var authNegativeTTL: Int?

    @Option(
        name: .customLong("auth-stale-window"),
        help:
            "Seconds a once-valid key keeps working while the auth service is down (env HOKUSAI_AUTH_STALE_WINDOW; default 900)."
    )
    var authStaleWindow: Int?

    @Option(
        name: .customLong("degraded-writes"),
        help: "Whether such keys may also write (env HOKUSAI_DEGRADED_WRITES; default true).")
    var degradedWrites: Bool?

    @Option(
        name: .customLong("auth-breaker-failures"),
        help: "Consecutive failures that open the circuit breaker (env HOKUSAI_AUTH_BREAKER_FAILURES; default 5).")
    var breakerFailures: Int?

    @Option(
        name: .customLong("auth-breaker-open-seconds"),
        help: "Seconds the breaker stays open before a probe (env HOKUSAI_AUTH_BREAKER_OPEN_SECONDS; default 10).")
    var breakerOpenSeconds: Int?

    @Option(
        name: .customLong("auth-breaker-successes"),
        help: "Consecutive successful probes that close it (env HOKUSAI_AUTH_BREAKER_SUCCESSES; default 2).")
    var breakerSuccesses: Int?

    @Option(
        name: .customLong("mlflow-upstream"),
        help:
            "Front this MLflow server (http://mlflow:5000) instead of serving MLflow from this process's store (env HOKUSAI_MLFLOW_UPSTREAM)."
    )
    var mlflowUpstream: String?

    @Option(
        name: .customLong("upstream-prefix"),
        help:
            "The upstream's own path prefix, e.g. /mlflow for a server started with a static prefix (env HOKUSAI_UPSTREAM_PREFIX)."
    )
    var upstreamPrefix: String?

    @Option(
        name: .customLong("upstream-ajax-api"),
        help: "Call the upstream's /ajax-api/ paths instead of /api/ (env HOKUSAI_UPSTREAM_AJAX_API; default false).")
    var upstreamAjaxAPI: Bool?

    @Option(
        name: .customLong("upstream-timeout"),
        help:
            "Seconds the upstream may stay silent mid-request before the gateway answers 504 (env HOKUSAI_UPSTREAM_TIMEOUT; default 120)."
    )
    var upstreamTimeout: Int?

    func run() async throws {
        var configuration = AppConfiguration()
        configuration.host = Setting.string(host, env: "HOKUSAI_HOST") ?? "127.0.0.1"
        configuration.port = try Setting.int(port, env: "HOKUSAI_PORT", default: 8001)
        configuration.failedAttemptLimit = try Setting.int(failedAuthLimit, env: "HOKUSAI_FAILED_AUTH_LIMIT", default: 30)
        configuration.trustForwardedFor = try Setting.bool(trustForwardedFor, env: "HOKUSAI_TRUST_FORWARDED_FOR", default: false)
        configuration.artifactsDirectory =
            Setting.string(artifactsDirectory, env: "HOKUSAI_ARTIFACTS_DIR") ?? store.resolvedDataDirectory + "/artifacts"
        configuration.maximumUploadBytes = Int64(
            try Setting.int(maximumUploadBytes, env: "HOKUSAI_MAX_UPLOAD_BYTES", default: 5 << 30))
        configuration.idleTimeoutSeconds = try Setting.int(idleTimeout, env: "HOKUSAI_IDLE_TIMEOUT", default: 120)
        guard configuration.idleTimeoutSeconds > 0 else { throw ValidationError("the idle timeout must be positive") }
        guard configuration.maximumUploadBytes > 0 else { throw ValidationError("the maximum upload size must be positive") }
        configuration.webhooks = try webhookConfiguration()
        try applyRole(to: &configuration)
        guard (0...65535).contains(configuration.port) else { throw ValidationError("port must be 0 to 65535") }
        configuration.logLevel = try logging.level()
        let logger = try logging.makeLogger()

        let location = try store.location()
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

extension ServeCommand {
    func applyRole(to configuration: inout AppConfiguration) throws {
        let rawRole = Setting.string(role, env: "HOKUSAI_ROLE") ?? "all"
        guard let parsed = ServerRole(rawValue: rawRole) else { throw ValidationError("--role must be all, auth or gateway") }
        configuration.role = parsed
        if let upstream = Setting.string(mlflowUpstream, env: "HOKUSAI_MLFLOW_UPSTREAM") {
            guard parsed != .auth else { throw ValidationError("--mlflow-upstream does not apply to --role auth") }
            guard Self.isHTTPURL(upstream) else { throw ValidationError("--mlflow-upstream must be an http(s):// URL") }
            var upstreamConfiguration = MLflowUpstreamConfiguration(url: upstream)
            let prefix = Setting.string(upstreamPrefix, env: "HOKUSAI_UPSTREAM_PREFIX") ?? ""
            upstreamConfiguration.prefix = prefix.isEmpty || prefix.hasPrefix("/") ? prefix : "/" + prefix
            upstreamConfiguration.useAjaxAPI = try Setting.bool(upstreamAjaxAPI, env: "HOKUSAI_UPSTREAM_AJAX_API", default: false)
            let timeout = try Setting.int(upstreamTimeout, env: "HOKUSAI_UPSTREAM_TIMEOUT", default: 120)
            guard timeout > 0 else { throw ValidationError("--upstream-timeout must be positive") }
            upstreamConfiguration.idleTimeoutMillis = Int64(timeout) * 1000
            configuration.mlflowUpstream = upstreamConfiguration
        }
        let url = Setting.string(authURL, env: "HOKUSAI_AUTH_URL")
        guard parsed == .gateway else {
            if url != nil { throw ValidationError("--auth-url applies to --role gateway only") }
            return
        }
        guard let url else {
            // In front of an existing MLflow server a gateway may hold the keys itself.
            if configuration.mlflowUpstream != nil { return }
            throw ValidationError("--role gateway needs --auth-url http(s)://host:port of a 'hokusai serve --role auth'")
        }
        guard Self.isHTTPURL(url) else {
            throw ValidationError("--auth-url must be http(s)://host:port of a 'hokusai serve --role auth'")
        }
        var remote = RemoteAuthConfiguration(url: url)
        func positive(_ value: Int, _ name: String) throws -> Int64 {
            guard value > 0 else { throw ValidationError("\(name) must be positive") }
            return Int64(value)
        }
        remote.timeoutMillis = try positive(
            try Setting.int(authTimeoutMillis, env: "HOKUSAI_AUTH_TIMEOUT_MS", default: 2000), "--auth-timeout-ms")
        remote.positiveTTLMillis =
            try positive(try Setting.int(authCacheTTL, env: "HOKUSAI_AUTH_CACHE_TTL", default: 60), "--auth-cache-ttl") * 1000
        remote.negativeTTLMillis =
            try positive(try Setting.int(authNegativeTTL, env: "HOKUSAI_AUTH_NEGATIVE_TTL", default: 5), "--auth-negative-ttl")
            * 1000
        remote.staleWindowMillis =
            try positive(try Setting.int(authStaleWindow, env: "HOKUSAI_AUTH_STALE_WINDOW", default: 900), "--auth-stale-window")
            * 1000
        remote.degradedWrites = try Setting.bool(degradedWrites, env: "HOKUSAI_DEGRADED_WRITES", default: true)
        remote.breakerFailures = Int(
            try positive(
                try Setting.int(breakerFailures, env: "HOKUSAI_AUTH_BREAKER_FAILURES", default: 5), "--auth-breaker-failures"))
        remote.breakerOpenMillis =
            try positive(
                try Setting.int(breakerOpenSeconds, env: "HOKUSAI_AUTH_BREAKER_OPEN_SECONDS", default: 10),
                "--auth-breaker-open-seconds") * 1000
        remote.breakerSuccesses = Int(
            try positive(
                try Setting.int(breakerSuccesses, env: "HOKUSAI_AUTH_BREAKER_SUCCESSES", default: 2), "--auth-breaker-successes"))
        configuration.remoteAuth = remote
    }

    static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text) else { return false }
        return ["http", "https"].contains(url.scheme ?? "") && url.host != nil
    }

    func webhookConfiguration() throws -> WebhookConfiguration {
        var webhooks = WebhookConfiguration()
        webhooks.urls =
            webhookURLs.isEmpty
            ? (Setting.string(nil, env: "HOKUSAI_WEBHOOK_URLS") ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
            : webhookURLs
        webhooks.secret = Setting.string(webhookSecret, env: "HOKUSAI_WEBHOOK_SECRET")
        let retrySeconds = try Setting.int(webhookRetrySeconds, env: "HOKUSAI_WEBHOOK_RETRY_SECONDS", default: 86_400)
        guard retrySeconds > 0 else { throw ValidationError("the webhook retry window must be positive") }
        webhooks.retry.giveUpAfterMillis = Int64(retrySeconds) * 1000
        webhooks.attemptTimeoutSeconds = Int64(try Setting.int(webhookTimeout, env: "HOKUSAI_WEBHOOK_TIMEOUT", default: 30))
        guard webhooks.attemptTimeoutSeconds > 0 else { throw ValidationError("the webhook timeout must be positive") }
        webhooks.allowLoopback = try Setting.bool(webhookAllowLoopback, env: "HOKUSAI_WEBHOOK_ALLOW_LOOPBACK", default: false)
        do {
            _ = try webhooks.validatedTargets()
        } catch {
            throw ValidationError("\(error)")
        }
        return webhooks
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
