import ArgumentParser
import Foundation
import HokusaiServer

/// Where `serve` sends registration events, and how hard it tries.
struct WebhookOptions: ParsableArguments {
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

    @Option(
        name: .customLong("webhook-deny-private"),
        help:
            "Refuse webhook URLs that resolve to private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) (env HOKUSAI_WEBHOOK_DENY_PRIVATE; default false)."
    )
    var webhookDenyPrivate: Bool?

    func configuration() throws -> WebhookConfiguration {
        var webhooks = WebhookConfiguration()
        webhooks.urls =
            webhookURLs.isEmpty
            ? (Setting.string(nil, env: "HOKUSAI_WEBHOOK_URLS") ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
            : webhookURLs
        webhooks.secret = Setting.string(webhookSecret, env: "HOKUSAI_WEBHOOK_SECRET")
        webhooks.retry.giveUpAfterMillis =
            try Setting.positive(
                webhookRetrySeconds, env: "HOKUSAI_WEBHOOK_RETRY_SECONDS", default: 86_400, flagName: "--webhook-retry-seconds")
            * 1000
        webhooks.attemptTimeoutSeconds = try Setting.positive(
            webhookTimeout, env: "HOKUSAI_WEBHOOK_TIMEOUT", default: 30, flagName: "--webhook-timeout")
        webhooks.allowLoopback = try Setting.bool(webhookAllowLoopback, env: "HOKUSAI_WEBHOOK_ALLOW_LOOPBACK", default: false)
        webhooks.denyPrivate = try Setting.bool(webhookDenyPrivate, env: "HOKUSAI_WEBHOOK_DENY_PRIVATE", default: false)
        do {
            _ = try webhooks.validatedTargets()
        } catch {
            throw ValidationError("\(error)")
        }
        return webhooks
    }
}
