import Foundation
import HokusaiCore
import HokusaiServer
import HokusaiStore
import Logging
import NIOHTTP1

/// Where `hokusai models …` and `hokusai events …` do their work; both answer the server's JSON.
protocol RegistrationBackend: Sendable {
    func register(_ body: [String: JSONAny]) async throws -> Data
    func events(state: String?, limit: Int) async throws -> Data
    func redeliver(id: String) async throws -> Data
    func close() async
}

/// Through a server's `/api/models/register` and `/api/v1/events`.
struct RemoteRegistrationBackend: RegistrationBackend {
    let server: ServerClient

    func register(_ body: [String: JSONAny]) async throws -> Data {
        try await server.send(.POST, "/api/models/register", body: Data(JSONWriter.bytes(JSONAny.object(body).jsonValue)))
    }

    func events(state: String?, limit: Int) async throws -> Data {
        var path = "/api/v1/events?limit=\(limit)"
        if let state { path += "&state=\(ServerClient.escape(state))" }
        return try await server.send(.GET, path)
    }

    func redeliver(id: String) async throws -> Data {
        try await server.send(.POST, "/api/v1/events/\(ServerClient.escape(id))/redeliver", body: Data("{}".utf8))
    }

    func close() async {}
}

/// On the store directly, as the operator (an admin acting for `userId`). A running server's
/// delivery loop sends what this queues.
struct LocalRegistrationBackend: RegistrationBackend {
    let database: any Database
    let userId: String

    static func open(_ location: StoreLocation, logger: Logger, userId: String) async throws -> LocalRegistrationBackend {
        LocalRegistrationBackend(database: try await location.openMigrated(logger: logger), userId: userId)
    }

    var service: RegistrationService { RegistrationService(database: database) }

    func register(_ body: [String: JSONAny]) async throws -> Data {
        do {
            let claim = try RegistrationRules.register(body)
            let outcome = try await service.register(claim, actor: TrackingActor(userId: userId, isAdmin: true))
            return Data(JSONWriter.bytes(RegistrationJSON.registered(outcome)))
        } catch let problems as FieldProblems {
            throw CommandFailure(problems.summary)
        } catch let error as MLflowError {
            throw CommandFailure(error.message)
        }
    }

    func events(state: String?, limit: Int) async throws -> Data {
        var parsed: EventState?
        if let state {
            guard let value = EventState(rawValue: state) else {
                throw CommandFailure("--state must be queued, delivered or dead")
            }
            parsed = value
        }
        let events = try await service.events(state: parsed, limit: limit, offset: 0)
        return Data(JSONWriter.bytes(RegistrationJSON.events(events, nextPageToken: nil)))
    }

    func redeliver(id: String) async throws -> Data {
        guard let event = try await service.redeliver(id: id) else { throw CommandFailure("no event with id '\(id)'") }
        return Data(JSONWriter.bytes(RegistrationJSON.event(event)))
    }

    func close() async { await database.close() }
}

extension TargetOptions {
    func withRegistration(userId: String, _ body: (any RegistrationBackend) async throws -> Void) async throws {
        try await withBackend(
            remote: { RemoteRegistrationBackend(server: $0) as any RegistrationBackend },
            local: { try await LocalRegistrationBackend.open($0, logger: $1, userId: userId) as any RegistrationBackend },
            close: { await $0.close() }, body)
    }
}
