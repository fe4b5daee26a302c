import Logging
import SQLKit

/// Which SQL engine a store runs on. Queries are written once against `SQLDatabase`;
/// only the few statements whose syntax differs ask for the kind.
public enum DatabaseKind: String, Sendable {
    case sqlite
    case postgresql
}

/// A connection provider for the store: reads on any connection, writes in a transaction.
///
/// Both implementations hand the closure an `SQLDatabase` bound to one connection for the
/// closure's whole duration, so a transaction's statements all run in the same session.
public protocol Database: Sendable {
    var kind: DatabaseKind { get }

    /// Where the data lives, for logs and `/ready`; never includes a password.
    var displayName: String { get }

    /// Runs `body` on a connection for reading.
    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R

    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    /// On SQLite writers are serialised in-process and the transaction is `BEGIN IMMEDIATE`.
    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R

    /// Closes every connection. Called once, at shutdown.
    func close() async
}

extension Database {
    /// Takes a lock that serialises setup work (migrations, the first admin key) across every
    /// process using the same store. Call it first thing inside `transaction`; it is released
    /// at commit or rollback. On SQLite the `BEGIN IMMEDIATE` write lock already does this.
    public func lockForSetup(_ db: any SQLDatabase) async throws {
        switch kind {
        case .sqlite:
            return
        case .postgresql:
            // An arbitrary constant identifying "Hokusai schema setup" among advisory locks.
            try await db.raw("SELECT pg_advisory_xact_lock(7213004417)").run()
        }
    }
}

/// Runs `body` between `begin` and `COMMIT` on one session, rolling back if it throws.
func runTransaction<R: Sendable>(
    on db: any SQLDatabase, begin: @Sendable () async throws -> Void,
    _ body: @escaping @Sendable (any SQLDatabase) async throws -> R
) async throws -> R {
    try await begin()
    do {
        let result = try await body(db)
        try await db.raw("COMMIT").run()
        return result
    } catch {
        try? await db.raw("ROLLBACK").run()
        throw error
    }
}

/// Logger for database drivers. Capped at `.notice` so no driver ever logs statements or bound
/// values (key hashes are secrets), whatever level the application runs at.
func driverLogger(from logger: Logger) -> Logger {
    var driver = logger
    driver.logLevel = max(logger.logLevel, .notice)
    return driver
}
