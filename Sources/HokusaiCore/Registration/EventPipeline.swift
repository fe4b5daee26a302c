import Foundation

/// The state of registration-event delivery at a glance: what `GET /api/v1/events/summary`
/// answers to any key, and what `hokusai doctor` judges. Counts and the latest failure only;
/// payloads and other users' models stay behind the admin endpoints.
public struct EventPipelineSummary: Sendable, Equatable {
    /// Webhook targets this server delivers to (`--webhook-url`); none means events only queue.
    public var webhookTargets: Int
    public var queued: Int
    public var delivered: Int
    public var dead: Int
    public var oldestQueuedAt: Int64?
    public var lastDeliveredAt: Int64?
    /// The newest undelivered event with a failed attempt.
    public var latestFailure: Failure?

    public struct Failure: Sendable, Equatable {
        public var eventId: String
        public var state: EventState
        public var attempts: Int
        public var status: Int?
        public var error: String

        public init(eventId: String, state: EventState, attempts: Int, status: Int?, error: String) {
            self.eventId = eventId
            self.state = state
            self.attempts = attempts
            self.status = status
            self.error = error
        }
    }

    public init(
        webhookTargets: Int, queued: Int, delivered: Int, dead: Int, oldestQueuedAt: Int64? = nil,
        lastDeliveredAt: Int64? = nil, latestFailure: Failure? = nil
    ) {
        self.webhookTargets = webhookTargets
        self.queued = queued
        self.delivered = delivered
        self.dead = dead
        self.oldestQueuedAt = oldestQueuedAt
        self.lastDeliveredAt = lastDeliveredAt
        self.latestFailure = latestFailure
    }
}

/// A `ping`: an event with no model in it, delivered through the outbox like a registration,
/// so a deployment's delivery can be checked end to end without telling the Hokusai site about a
/// model that does not exist. Receivers acknowledge it and otherwise ignore it.
public enum PingEvent {
    public static let eventType = "ping"

    public static func make(eventId: String, userId: String, at now: Int64) -> OutboxEvent {
        let body = JSONWriter.bytes(
            .object([
                ("event_type", .string(eventType)), ("event_id", .string(eventId)),
                ("timestamp", .string(ModelRegisteredEvent.timestamp(Date(timeIntervalSince1970: Double(now) / 1000)))),
                ("source", .string("hokusai-registry")),
            ]))
        return OutboxEvent(
            eventId: eventId, idempotencyKey: UUID().uuidString.lowercased(), eventType: eventType, modelName: "", version: 0,
            tokenId: "", userId: userId, payload: String(decoding: body, as: UTF8.self), state: .queued, attempts: 0,
            nextAttemptAt: now, createdAt: now)
    }
}
