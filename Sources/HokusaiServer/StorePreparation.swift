import HokusaiCore
import HokusaiStore
import Logging

/// Opens the store, applies pending migrations and, on a store with no key yet, issues the
/// first admin key. What `hokusai serve` does before it listens, and what the tests do too.
public struct PreparedStore: Sendable {
    public let database: any Database
    /// The first admin key when this start created it; nil on every later start.
    public let firstAdminKey: IssuedKey?
}

public enum StorePreparation {
    public static func prepare(
        location: StoreLocation, migrate: Bool = true, issueFirstKey: Bool = true, logger: Logger
    ) async throws -> PreparedStore {
        let database = try await location.open(logger: logger)
        do {
            let runner = MigrationRunner(database: database)
            if migrate {
                let applied = try await runner.migrate()
                for migration in applied {
                    logger.info("applied migration", metadata: ["id": "\(migration.id)", "name": "\(migration.name)"])
                }
            } else {
                let status = try await runner.status()
                guard status.isCurrent else {
                    throw StoreError.databaseNewerThanBinary(applied: status.appliedId, known: status.latestId)
                }
            }
            // A gateway's keys live in its auth service; its own store holds no keys.
            let firstKey = issueFirstKey ? try await KeyService(database: database).issueFirstAdminKeyIfNone() : nil
            return PreparedStore(database: database, firstAdminKey: firstKey)
        } catch {
            await database.close()
            throw error
        }
    }
}
