import HokusaiCore
import SQLKit

/// The event outbox as the API shows it: pages of events for admins, one event for its owner,
/// the delivery summary for anyone, redelivery, and pings that check delivery end to end.
extension RegistrationService {
    public func events(state: EventState?, limit: Int, offset: Int) async throws -> [OutboxEvent] {
        try await database.read { db in try await EventRepository().list(state: state, limit: limit, offset: offset, on: db) }
    }

    public func event(id: String) async throws -> OutboxEvent? {
        try await database.read { db in try await EventRepository().find(id: id, on: db) }
    }

    /// Queues an event again for every webhook target (after it died, or when a receiver lost it).
    public func redeliver(id: String) async throws -> OutboxEvent? {
        try await database.transaction { db in
            let events = EventRepository()
            guard try await events.find(id: id, on: db) != nil else { return nil }
            try await events.redeliver(eventId: id, now: Timestamp.nowMillis(), on: db)
            return try await events.find(id: id, on: db)
        }
    }

    public func eventSummary(webhookTargets: Int) async throws -> EventPipelineSummary {
        try await database.read { db in try await EventRepository().summary(webhookTargets: webhookTargets, on: db) }
    }

    /// Queues a `ping` for every webhook target; its state is read back like any event's.
    public func queuePing(userId: String) async throws -> OutboxEvent {
        let ping = PingEvent.make(eventId: RandomIdentifier.make(prefix: "evt_"), userId: userId, at: Timestamp.nowMillis())
        try await database.transaction { db in try await EventRepository().insert(ping, on: db) }
        return ping
    }
}
