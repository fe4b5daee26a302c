import AsyncHTTPClient
import Foundation
import HokusaiCore
import HokusaiStore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Delivers queued registration events from the outbox to every configured webhook, signed, with
/// the event's idempotency key. A 2xx from a target is recorded at once, so a retry never sends
/// to a target that already accepted; failures back off (`RetryPolicy`) until the retry window
/// ends and the event is marked dead. Each attempt holds a short lease on its event, so replicas
/// never send the same event at once and a crashed process's lease simply runs out.
final class WebhookDeliveryService: Service, Sendable {
    let database: any Database
    let configuration: WebhookConfiguration
    let targets: [String]
    let logger: Logger
    let metrics: AppMetrics
    let client: HTTPClient

    init(database: any Database, configuration: WebhookConfiguration, metrics: AppMetrics, logger: Logger) throws {
        self.database = database
        self.metrics = metrics
        self.configuration = configuration
        self.targets = try configuration.validatedTargets()
        self.logger = logger
        // Redirects are not followed: a receiver must not be able to bounce us elsewhere (CVE-2026-64849).
        var clientConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        clientConfiguration.timeout = .init(
            connect: .seconds(min(5, configuration.attemptTimeoutSeconds)), read: .seconds(configuration.attemptTimeoutSeconds))
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
    }

    func run() async throws {
        if targets.isEmpty {
            logger.notice("no webhook URL configured: registration events stay queued until one is")
            try? await gracefulShutdown()
        } else {
            while true {
                await deliverDueEvents()
                do {
                    try await cancelWhenGracefulShutdown { [configuration] in
                        try await Task.sleep(for: configuration.pollInterval)
                    }
                } catch {
                    break
                }
            }
        }
        try? await client.shutdown()
    }

    /// One pass over the outbox: every due event, until none is left.
    func deliverDueEvents() async {
        while true {
            let now = Timestamp.nowMillis()
            // A read first: an idle outbox must not take the store's write lock twice a second.
            guard let soonest = try? await database.read({ db in try await EventRepository().nextDue(on: db) }), soonest <= now
            else {
                return
            }
            let lease = now + (configuration.attemptTimeoutSeconds + 15) * 1000 * Int64(max(targets.count, 1))
            let due: [OutboxEvent]
            do {
                due = try await database.transaction { db in
                    try await EventRepository().claimDue(now: now, leaseUntil: lease, limit: 16, on: db)
                }
            } catch {
                logger.error("cannot read the event outbox", metadata: ["error": "\(String(describing: error))"])
                return
            }
            if due.isEmpty { return }
            for event in due { await deliver(event) }
        }
    }

    func deliver(_ event: OutboxEvent) async {
        let body = Array(event.payload.utf8)
        var failure: (message: String, status: Int?)?
        var lastStatus = 0
        let delivered =
            (try? await database.read { db in try await EventRepository().deliveredTargets(eventId: event.eventId, on: db) })
            ?? []
        for target in targets where !delivered.contains(target) {
            switch await post(body, to: target, event: event) {
            case .success(let status):
                lastStatus = status
                try? await database.transaction { db in
                    try await EventRepository().recordDelivery(
                        eventId: event.eventId, target: target, status: status, at: Timestamp.nowMillis(), on: db)
                }
            case .failure(let problem):
                failure = failure ?? (problem.message, problem.status)
            }
        }
        let now = Timestamp.nowMillis()
        let outcome = failure
        let status = lastStatus
        let next = configuration.retry.nextAttempt(afterFailedAttempts: event.attempts + 1, createdAt: event.retryFrom, now: now)
        do {
            try await database.transaction { db in
                let events = EventRepository()
                if let failure = outcome {
                    try await events.markFailed(
                        eventId: event.eventId, error: failure.message, status: failure.status, nextAttempt: next, on: db)
                } else {
                    try await events.markDelivered(eventId: event.eventId, status: status, at: now, on: db)
                }
            }
        } catch {
            logger.error("cannot record a delivery attempt", metadata: ["event_id": "\(event.eventId)", "error": "\(error)"])
        }
        metrics.recordWebhookAttempt(failure == nil ? "delivered" : next == nil ? "dead" : "retrying")
        if let failure {
            logger.warning(
                "webhook delivery failed; will retry",
                metadata: ["event_id": "\(event.eventId)", "attempt": "\(event.attempts + 1)", "error": "\(failure.message)"])
        } else {
            logger.info("webhook delivered", metadata: ["event_id": "\(event.eventId)"])
        }
    }

    struct DeliveryProblem: Error {
        let message: String
        let status: Int?
    }

    func post(_ body: [UInt8], to target: String, event: OutboxEvent) async -> Result<Int, DeliveryProblem> {
        if let refusal = WebhookTargetCheck.refusal(of: target, configuration: configuration) {
            return .failure(DeliveryProblem(message: refusal, status: nil))
        }
        var request = HTTPClientRequest(url: target)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Hokusai-WebhookPublisher/1.0")
        request.headers.add(name: "X-Hokusai-Idempotency-Key", value: event.idempotencyKey)
        request.headers.add(name: "X-Hokusai-Event-Id", value: event.eventId)
        if let secret = configuration.secret {
            request.headers.add(name: "X-Hokusai-Signature", value: ModelRegisteredEvent.signature(body: body, secret: secret))
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(configuration.attemptTimeoutSeconds))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                return .failure(
                    DeliveryProblem(message: "\(WebhookTargetPolicy.displayName(target)) answered \(status)", status: status))
            }
            return .success(status)
        } catch {
            return .failure(
                DeliveryProblem(message: "\(WebhookTargetPolicy.displayName(target)): \(String(describing: error))", status: nil))
        }
    }
}
