import Foundation
import HokusaiCore
import HokusaiServer
import HokusaiStore
import Logging

/// Key management on the store itself: the operator at the machine needs no key, so this is
/// how the first key is made on a store that a server never started on, or a lost admin key replaced.
struct LocalKeyBackend: KeyBackend {
    let database: any Database
    let service: KeyService

    static func open(_ location: StoreLocation, logger: Logger) async throws -> LocalKeyBackend {
        let database = try await location.openMigrated(logger: logger)
        return LocalKeyBackend(database: database, service: KeyService(database: database))
    }

    func create(_ request: KeyCreationRequest, admin: Bool) async throws -> Data {
        let settings: NewKeySettings
        switch KeyCreationRules.settings(for: request, caller: nil, now: Timestamp.nowMillis()) {
        case .failure(let problem): throw CommandFailure(Self.describe(problem))
        case .success(let value): settings = value
        }
        let issued = try await service.issue(settings, origin: .localOperator)
        return try encode(
            IssuedKeyResponse(
                apiKey: issued.apiKey, keyId: issued.record.id, keyInfo: KeyInfo(issued.record), previousKey: nil))
    }

    func list(userId: String?, serviceId: String?, activeOnly: Bool, limit: Int) async throws -> Data {
        let filter = KeyListFilter(userId: userId, serviceId: serviceId, activeOnly: activeOnly)
        let keys = try await service.list(filter, limit: limit, offset: 0)
        return try encode(KeyListResponse(keys: keys.map { KeyInfo($0) }, nextPageToken: nil))
    }

    func show(id: String) async throws -> Data {
        guard let key = try await service.find(id: id) else { throw CommandFailure("no API key with id '\(id)'") }
        return try encode(KeyInfo(key))
    }

    func revoke(id: String) async throws -> Data {
        guard let revocation = try await service.revoke(id: id, origin: .localOperator) else {
            throw CommandFailure("no API key with id '\(id)'")
        }
        return try encode(RevokedKeyResponse(revocation))
    }

    func rotate(id: String, graceSeconds: Int?) async throws -> Data {
        switch try await service.rotate(id: id, graceSeconds: graceSeconds, origin: .localOperator) {
        case .notFound: throw CommandFailure("no API key with id '\(id)'")
        case .refused(let problem): throw CommandFailure(Self.describe(problem))
        case .rotated(let new, let old):
            return try encode(
                IssuedKeyResponse(
                    apiKey: new.apiKey, keyId: new.record.id, keyInfo: KeyInfo(new.record), previousKey: KeyInfo(old)))
        }
    }

    func close() async {
        await database.close()
    }

    private func encode(_ value: some Encodable) throws -> Data {
        try JSONEncoder().encode(value)
    }

    static func describe(_ problem: KeyRequestProblem) -> String {
        switch problem {
        case .invalidField(_, let message), .forbidden(let message), .conflict(let message): message
        }
    }
}

extension StoreLocation {
    /// Opens the store and applies pending migrations, for the CLI's commands on the store itself.
    func openMigrated(logger: Logger) async throws -> any Database {
        let database = try await open(logger: logger)
        do {
            try await MigrationRunner(database: database).migrate()
        } catch {
            await database.close()
            throw error
        }
        return database
    }
}
