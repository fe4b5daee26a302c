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
        guard (0...65535).contains(configuration.port) else { throw ValidationError("port must be 0 to 65535") }
        configuration.logLevel = try logging.level()
        let logger = try logging.makeLogger()

        let location = try store.location()
        let prepared: PreparedStore
        do {
            prepared = try await StorePreparation.prepare(location: location, logger: logger)
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
