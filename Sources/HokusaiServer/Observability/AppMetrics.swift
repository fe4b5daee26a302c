import Foundation
import HokusaiCore
import Prometheus
import Synchronization

/// The Prometheus metrics one application instance exposes at `/metrics`. Labels are route
/// patterns, methods, statuses and validation codes only: never a path with ids, never a key.
public final class AppMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private static let latencyBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    /// The registry builds a label list and its key strings and makes two lookups under its lock
    /// for every `make…` call, about 3% of an authenticated `get_run`'s CPU when made per request;
    /// the series a request touches are asked of it once per label set and kept here. Bounded
    /// like the labels: known methods, route patterns, statuses, validation codes, cache results.
    private let requestSeries: SeriesCache<RequestLabels, RequestSeries>
    private let authenticationSeries: SeriesCache<ValidationCode, Counter>
    /// A gateway records one on every request it authenticates.
    private let authCacheSeries: SeriesCache<String, Counter>
    private let openConnections: Gauge
    private let refusedConnections: SeriesCache<String, Counter>
    private let headTimeouts: Counter

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        requestSeries = SeriesCache { [registry] labels in
            RequestSeries(
                count: registry.makeCounter(
                    descriptor: .init(
                        metricName: "hokusai_http_requests", unitName: "total",
                        helpText: "HTTP requests by route pattern and status"),
                    labels: [("method", labels.method), ("route", labels.route), ("status", String(labels.status))]),
                duration: registry.makeDurationHistogram(
                    descriptor: .init(
                        metricName: "hokusai_http_request_duration", unitName: "seconds", helpText: "HTTP request latency"),
                    labels: [("method", labels.method), ("route", labels.route)],
                    buckets: Self.latencyBuckets))
        }
        authenticationSeries = SeriesCache { [registry] code in
            registry.makeCounter(
                descriptor: .init(
                    metricName: "hokusai_auth_outcomes", unitName: "total", helpText: "Key validation outcomes by code"),
                labels: [("code", code.rawValue)])
        }
        openConnections = registry.makeGauge(
            descriptor: .init(metricName: "hokusai_connections_open", unitName: "", helpText: "HTTP connections open now"))
        refusedConnections = SeriesCache { [registry] limit in
            registry.makeCounter(
                descriptor: .init(
                    metricName: "hokusai_connections_refused", unitName: "total",
                    helpText: "Connections closed at accept by the connection limits (total, per_address)"),
                labels: [("limit", limit)])
        }
        headTimeouts = registry.makeCounter(
            descriptor: .init(
                metricName: "hokusai_request_head_timeouts", unitName: "total",
                helpText: "Connections closed with 408 because a request's head did not arrive in time"))
        authCacheSeries = SeriesCache { [registry] result in
            registry.makeCounter(
                descriptor: .init(
                    metricName: "hokusai_auth_cache", unitName: "total",
                    helpText: "Gateway key-validation cache lookups by result"),
                labels: [("result", result)])
        }
    }

    /// Methods kept as labels; anything else a client invents is counted as `OTHER`, so label
    /// sets stay bounded whatever is sent.
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    private struct RequestLabels: Hashable, Sendable {
        let method: String
        let route: String
        let status: Int
    }

    /// One request's counter and latency histogram.
    private struct RequestSeries: Sendable {
        let count: Counter
        let duration: DurationHistogram
    }

    func recordRequest(method rawMethod: String, route: String, status: Int, duration: Duration) {
        let method = Self.knownMethods.contains(rawMethod) ? rawMethod : "OTHER"
        let series = requestSeries[RequestLabels(method: method, route: route, status: status)]
        series.count.increment()
        series.duration.record(duration)
    }

    func recordAuthentication(_ code: ValidationCode) {
        authenticationSeries[code].increment()
    }

    /// A gateway's key-validation cache: `hit`, `miss` (asked the auth service) or `stale` (the
    /// auth service was down and a recently validated key was let through).
    func recordAuthCache(_ result: String) {
        authCacheSeries[result].increment()
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

    /// One failed call to the artifact store's S3 bucket, by `S3Failure.Reason` (`no_such_bucket`,
    /// `access_denied`, `wrong_region`, `timeout`, `unreachable`, `credentials`, `other`).
    func recordArtifactStoreFailure(_ reason: String) {
        registry.makeCounter(
            descriptor: .init(
                metricName: "hokusai_artifact_store_failures", unitName: "total",
                helpText: "Failed calls to the S3 artifact store by reason"),
            labels: [("reason", reason)]
        ).increment()
    }

    /// Connections open now, and one refused at accept by `ConnectionGate` (`total` or `per_address`).
    func recordConnection(open: Int, refused: ConnectionGate.Refusal?) {
        openConnections.set(to: Double(open))
        if let refused { refusedConnections[refused.rawValue].increment() }
    }

    /// A connection closed because its request's head did not arrive in time (`RequestHeadDeadline`).
    func recordHeadTimeout() {
        headTimeouts.increment()
    }

    func render() -> String {
        registry.emitToString()
    }
}

/// Metric series made on first use of their labels and kept: `make` runs once per key.
private final class SeriesCache<Key: Hashable & Sendable, Series: Sendable>: Sendable {
    private let made = Mutex([Key: Series]())
    private let make: @Sendable (Key) -> Series

    init(make: @escaping @Sendable (Key) -> Series) {
        self.make = make
    }

    subscript(key: Key) -> Series {
        made.withLock { made in
            if let series = made[key] { return series }
            let series = make(key)
            made[key] = series
            return series
        }
    }
}
