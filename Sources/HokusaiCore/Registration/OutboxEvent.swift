/// Where an event is in its delivery.
public enum EventState: String, Sendable, CaseIterable {
    /// Recorded, waiting for (another) delivery attempt, or for a webhook to be configured.
    case queued
    case delivered
    /// Given up after the retry window; an admin can redeliver it.
    case dead
}

/// A registration event as the outbox holds it.
public struct OutboxEvent: Sendable, Equatable {
    public var eventId: String
    public var idempotencyKey: String
    public var eventType: String
    public var modelName: String
    public var version: Int64
    public var tokenId: String
    public var userId: String
    /// The exact body that is sent and signed.
    public var payload: String
    public var state: EventState
    public var attempts: Int
    public var nextAttemptAt: Int64
    public var createdAt: Int64
    /// Start of the retry window: creation, or the last redelivery.
    public var retryFrom: Int64
    public var deliveredAt: Int64?
    public var lastError: String?
    public var lastStatus: Int?

    public init(
        eventId: String, idempotencyKey: String, eventType: String, modelName: String, version: Int64, tokenId: String,
        userId: String, payload: String, state: EventState, attempts: Int, nextAttemptAt: Int64, createdAt: Int64,
        retryFrom: Int64? = nil, deliveredAt: Int64? = nil, lastError: String? = nil, lastStatus: Int? = nil
    ) {
        self.eventId = eventId
        self.idempotencyKey = idempotencyKey
        self.eventType = eventType
        self.modelName = modelName
        self.version = version
        self.tokenId = tokenId
        self.userId = userId
        self.payload = payload
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.retryFrom = retryFrom ?? createdAt
        self.deliveredAt = deliveredAt
        self.lastError = lastError
        self.lastStatus = lastStatus
    }
}
