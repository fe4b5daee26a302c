import ArgumentParser
import Foundation
import HokusaiServer

/// `serve`'s deployment shape: the role, the auth service a gateway checks keys with, and the
/// MLflow server it may front.
struct DeploymentOptions: ParsableArguments {
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

    /// Sets the role, the auth service and the upstream; refuses combinations that make no sense.
    func apply(to configuration: inout AppConfiguration) throws {
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
            upstreamConfiguration.idleTimeoutMillis =
                try Setting.positive(
                    upstreamTimeout, env: "HOKUSAI_UPSTREAM_TIMEOUT", default: 120, flagName: "--upstream-timeout") * 1000
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
        remote.timeoutMillis = try Setting.positive(
            authTimeoutMillis, env: "HOKUSAI_AUTH_TIMEOUT_MS", default: 2000, flagName: "--auth-timeout-ms")
        remote.positiveTTLMillis =
            try Setting.positive(authCacheTTL, env: "HOKUSAI_AUTH_CACHE_TTL", default: 60, flagName: "--auth-cache-ttl") * 1000
        remote.negativeTTLMillis =
            try Setting.positive(authNegativeTTL, env: "HOKUSAI_AUTH_NEGATIVE_TTL", default: 5, flagName: "--auth-negative-ttl")
            * 1000
        remote.staleWindowMillis =
            try Setting.positive(authStaleWindow, env: "HOKUSAI_AUTH_STALE_WINDOW", default: 900, flagName: "--auth-stale-window")
            * 1000
        remote.degradedWrites = try Setting.bool(degradedWrites, env: "HOKUSAI_DEGRADED_WRITES", default: true)
        remote.breakerFailures = Int(
            try Setting.positive(
                breakerFailures, env: "HOKUSAI_AUTH_BREAKER_FAILURES", default: 5, flagName: "--auth-breaker-failures"))
        remote.breakerOpenMillis =
            try Setting.positive(
                breakerOpenSeconds, env: "HOKUSAI_AUTH_BREAKER_OPEN_SECONDS", default: 10, flagName: "--auth-breaker-open-seconds"
            ) * 1000
        remote.breakerSuccesses = Int(
            try Setting.positive(
                breakerSuccesses, env: "HOKUSAI_AUTH_BREAKER_SUCCESSES", default: 2, flagName: "--auth-breaker-successes"))
        configuration.remoteAuth = remote
    }

    static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text) else { return false }
        return ["http", "https"].contains(url.scheme ?? "") && url.host != nil
    }
}
