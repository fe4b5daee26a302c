import HokusaiCore
import SQLKit

/// SQL for the registration-event outbox.
public struct EventRepository: Sendable {
    public init() {}

    public func insert(_ event: OutboxEvent, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO registration_events (event_id, idempotency_key, event_type, model_name, version, token_id, user_id,
                payload, state, attempts, next_attempt_at, lease_until, created_at, retry_from)
            VALUES (\(bind: event.eventId), \(bind: event.idempotencyKey), \(bind: event.eventType), \(bind: event.modelName),
                \(bind: event.version), \(bind: event.tokenId), \(bind: event.userId), \(bind: event.payload),
                \(bind: event.state.rawValue), \(bind: event.attempts), \(bind: event.nextAttemptAt), 0, \(bind: event.createdAt),
                \(bind: event.createdAt))
            """
        ).run()
    }

    public func find(id: String, on db: any SQLDatabase) async throws -> OutboxEvent? {
        try await db.select().column("*").from("registration_events").where("event_id", .equal, id).first().map(Self.event)
    }

    public func find(idempotencyKey: String, on db: any SQLDatabase) async throws -> OutboxEvent? {
        try await db.select().column("*").from("registration_events").where("idempotency_key", .equal, idempotencyKey).first()
            .map(Self.event)
    }

    /// Events due for delivery now, each leased to this caller until `leaseUntil` so two replicas
    /// never send the same event at once. A lease left by a crashed process simply runs out.
    public func claimDue(now: Int64, leaseUntil: Int64, limit: Int, on db: any SQLDatabase) async throws -> [OutboxEvent] {
        let candidates = try await db.raw(
            """
            SELECT event_id FROM registration_events
            WHERE state = 'queued' AND next_attempt_at <= \(bind: now) AND lease_until <= \(bind: now)
            ORDER BY next_attempt_at LIMIT \(literal: limit)
            """
        ).all().map { try $0.decode(column: "event_id", as: String.self) }
        var claimed: [OutboxEvent] = []
        for id in candidates {
            let won = try await db.raw(
                """
                UPDATE registration_events SET lease_until = \(bind: leaseUntil)
                WHERE event_id = \(bind: id) AND state = 'queued' AND lease_until <= \(bind: now)
                RETURNING event_id
                """
            ).first()
            if won != nil, let event = try await find(id: id, on: db) { claimed.append(event) }
        }
        return claimed
    }

    /// The soonest time a queued event is due, for the delivery loop's sleep.
    public func nextDue(on db: any SQLDatabase) async throws -> Int64? {
        try await db.raw("SELECT MIN(next_attempt_at) AS due FROM registration_events WHERE state = 'queued'").first()?
            .decode(column: "due", as: Int64?.self)
    }

    public func deliveredTargets(eventId: String, on db: any SQLDatabase) async throws -> Set<String> {
        Set(
            try await db.raw("SELECT target FROM registration_event_deliveries WHERE event_id = \(bind: eventId)").all().map {
                try $0.decode(column: "target", as: String.self)
            })
    }

    public func recordDelivery(eventId: String, target: String, status: Int, at now: Int64, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO registration_event_deliveries (event_id, target, status, delivered_at)
            VALUES (\(bind: eventId), \(bind: target), \(bind: status), \(bind: now))
            ON CONFLICT (event_id, target) DO NOTHING
            """
        ).run()
    }

    public func markDelivered(eventId: String, status: Int, at now: Int64, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE registration_events SET state = 'delivered', delivered_at = \(bind: now), attempts = attempts + 1,
                last_status = \(bind: status), last_error = NULL, lease_until = 0
            WHERE event_id = \(bind: eventId)
            """
        ).run()
    }

    /// Records a failed attempt: queued again for `nextAttempt`, or dead when that is nil.
    public func markFailed(
        eventId: String, error: String, status: Int?, nextAttempt: Int64?, on db: any SQLDatabase
    ) async throws {
        let state: EventState = nextAttempt == nil ? .dead : .queued
        try await db.raw(
            """
            UPDATE registration_events SET state = \(bind: state.rawValue), attempts = attempts + 1,
                next_attempt_at = \(bind: nextAttempt ?? 0), last_error = \(bind: String(error.prefix(500))),
                last_status = \(bind: status), lease_until = 0
            WHERE event_id = \(bind: eventId)
            """
        ).run()
    }

    /// Queues an event again for every target, now; its attempts and retry window start over.
    public func redeliver(eventId: String, now: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM registration_event_deliveries WHERE event_id = \(bind: eventId)").run()
        try await db.raw(
            """
            UPDATE registration_events SET state = 'queued', attempts = 0, next_attempt_at = \(bind: now), lease_until = 0,
                retry_from = \(bind: now), delivered_at = NULL
            WHERE event_id = \(bind: eventId)
            """
        ).run()
    }

    /// A page of events, newest first, optionally in one state.
    public func list(state: EventState?, limit: Int, offset: Int, on db: any SQLDatabase) async throws -> [OutboxEvent] {
        var query: SQLQueryString = "SELECT * FROM registration_events"
        if let state { query += " WHERE state = \(bind: state.rawValue)" }
        query += " ORDER BY created_at DESC, event_id ASC LIMIT \(literal: limit) OFFSET \(literal: offset)"
        return try await db.raw(query).all().map(Self.event)
    }

    /// Counts by state, the oldest queued event, the last delivery and the newest failure.
    public func summary(webhookTargets: Int, on db: any SQLDatabase) async throws -> EventPipelineSummary {
        var summary = EventPipelineSummary(webhookTargets: webhookTargets, queued: 0, delivered: 0, dead: 0)
        for row in try await db.raw("SELECT state, COUNT(*) AS n FROM registration_events GROUP BY state").all() {
            let count = try row.decode(column: "n", as: Int.self)
            switch EventState(rawValue: try row.decode(column: "state", as: String.self)) {
            case .queued?: summary.queued = count
            case .delivered?: summary.delivered = count
            case .dead?: summary.dead = count
            case nil: break
            }
        }
        let times = try await db.raw(
            """
            SELECT (SELECT MIN(created_at) FROM registration_events WHERE state = 'queued') AS oldest,
                (SELECT MAX(delivered_at) FROM registration_events WHERE state = 'delivered') AS last
            """
        ).first()
        summary.oldestQueuedAt = try times?.decode(column: "oldest", as: Int64?.self)
        summary.lastDeliveredAt = try times?.decode(column: "last", as: Int64?.self)
        if let failing = try await db.raw(
            """
            SELECT * FROM registration_events WHERE state <> 'delivered' AND last_error IS NOT NULL
            ORDER BY created_at DESC, event_id ASC LIMIT 1
            """
        ).first().map(Self.event) {
            summary.latestFailure = .init(
                eventId: failing.eventId, state: failing.state, attempts: failing.attempts, status: failing.lastStatus,
                error: failing.lastError ?? "")
        }
        return summary
    }

    static func event(_ row: any SQLRow) throws -> OutboxEvent {
        OutboxEvent(
            eventId: try row.decode(column: "event_id", as: String.self),
            idempotencyKey: try row.decode(column: "idempotency_key", as: String.self),
            eventType: try row.decode(column: "event_type", as: String.self),
            modelName: try row.decode(column: "model_name", as: String.self),
            version: try row.decode(column: "version", as: Int64.self),
            tokenId: try row.decode(column: "token_id", as: String.self),
            userId: try row.decode(column: "user_id", as: String.self),
            payload: try row.decode(column: "payload", as: String.self),
            state: EventState(rawValue: try row.decode(column: "state", as: String.self)) ?? .queued,
            attempts: try row.decode(column: "attempts", as: Int.self),
            nextAttemptAt: try row.decode(column: "next_attempt_at", as: Int64.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            retryFrom: try row.decode(column: "retry_from", as: Int64.self),
            deliveredAt: try row.decode(column: "delivered_at", as: Int64?.self),
            lastError: try row.decode(column: "last_error", as: String?.self),
            lastStatus: try row.decode(column: "last_status", as: Int?.self))
    }
}
