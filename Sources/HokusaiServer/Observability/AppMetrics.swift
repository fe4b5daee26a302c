import Foundation
import HokusaiCore
import Prometheus

/// The Prometheus metrics one application instance exposes at `/metrics`. Labels are route
/// patterns, methods, statuses and validation codes only: never a path with ids, never a key.
public final class AppMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private static let latencyBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    public init() {}

    /// Methods kept as labels; anything else a client invents is counted as `OTHER`, so label
    /// sets stay bounded whatever is sent.
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    func recordRequest(method rawMethod: String, route: String, status: Int, duration: Duration) {
        let method = Self.knownMethods.contains(rawMethod) ? rawMethod : "OTHER"
        registry.makeCounter(
            descriptor: .init(
                metricName: "hokusai_http_requests", unitName: "total", helpText: "HTTP requests by route pattern and status"),
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(metricName: "hokusai_http_request_duration", unitName: "seconds", helpText: "HTTP request latency"),
            labels: [("method", method), ("route", route)],
            buckets: Self.latencyBuckets
        ).record(duration)
    }

    func recordAuthentication(_ code: ValidationCode) {
        registry.makeCounter(
            descriptor: .init(
                metricName: "hokusai_auth_outcomes", unitName: "total", helpText: "Key validation outcomes by code"),
            labels: [("code", code.rawValue)]
        ).increment()
    }

    /// A gateway's key-validation cache: `hit`, `miss` (asked the auth service) or `stale` (the
    /// auth service was down and a recently validated key was let through).
    func recordAuthCache(_ result: String) {
        registry.makeCounter(
            descriptor: .init(
                metricName: "hokusai_auth_cache", unitName: "total", helpText: "Gateway key-validation cache lookups by result"),
            labels: [("result", result)]
        ).increment()
    }

    /// The gateway's circuit breaker to the auth service: 1 for the current state, 0 for the others.
    func recordBreaker(_ state: CircuitBreaker.State) {
        for candidate in [CircuitBreaker.State.closed, .open, .halfOpen] {
            registry.makeGauge(
                descriptor: .init(
                    metricName: "hokusai_auth_breaker_state", unitName: "", helpText: "Circuit breaker to the auth service"),
                labels: [("state", candidate.rawValue)]
            ).set(to: candidate == state ? 1.0 : 0.0)
        }
    }

    /// One webhook delivery attempt of a registration event: `delivered`, `retrying` or `dead`.
    func recordWebhookAttempt(_ outcome: String) {
        registry.makeCounter(
            descriptor: .init(
                metricName: "hokusai_webhook_deliveries", unitName: "total",
                helpText: "Registration event delivery attempts by outcome (delivered, retrying, dead)"),
            labels: [("outcome", outcome)]
        ).increment()
    }

    func render() -> String {
        registry.emitToString()
    }
}
