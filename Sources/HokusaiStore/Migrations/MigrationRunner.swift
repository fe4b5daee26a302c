import HokusaiCore
import SQLKit

/// Applies pending migrations: all of them in one transaction, under the setup lock, so two
/// replicas starting together never migrate at once and a failure leaves the schema unchanged.
public struct MigrationRunner: Sendable {
    public struct Status: Sendable, Equatable {
        public let appliedId: Int
        public let latestId: Int
        public var isCurrent: Bool { appliedId == latestId }
    }

    let database: any Database
    let migrations: [Migration]

    public init(database: any Database, migrations: [Migration] = Migrations.all) {
        self.database = database
        self.migrations = migrations
    }

    /// Applies what is pending and returns the migrations it applied.
    @discardableResult
    public func migrate() async throws -> [Migration] {
        let migrations = self.migrations
        let database = self.database
        return try await database.transaction { db in
            try await database.lockForSetup(db)
            try await db.raw(
                "CREATE TABLE IF NOT EXISTS hokusai_migrations (id BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            ).run()
            let applied = try await Self.appliedIds(on: db)
            let latestKnown = migrations.last?.id ?? 0
            if let newest = applied.max(), newest > latestKnown {
                throw StoreError.databaseNewerThanBinary(applied: newest, known: latestKnown)
            }
            let pending = migrations.filter { !applied.contains($0.id) }
            for migration in pending {
                for statement in migration.statements(database.kind) {
                    try await db.raw("\(unsafeRaw: statement)").run()
                }
                try await db.raw(
                    "INSERT INTO hokusai_migrations (id, name, applied_at) VALUES (\(bind: migration.id), \(bind: migration.name), \(bind: Timestamp.nowMillis()))"
                ).run()
            }
            return pending
        }
    }

    /// How far the database is migrated, without changing it.
    public func status() async throws -> Status {
        let latest = migrations.last?.id ?? 0
        let database = self.database
        let applied = try await database.read { db -> Int in
            guard try await Self.tableExists(on: db, kind: database.kind) else { return 0 }
            return try await Self.appliedIds(on: db).max() ?? 0
        }
        return Status(appliedId: applied, latestId: latest)
    }

    static func appliedIds(on db: any SQLDatabase) async throws -> Set<Int> {
        let rows = try await db.raw("SELECT id FROM hokusai_migrations").all()
        return Set(try rows.map { try $0.decode(column: "id", as: Int.self) })
    }

    static func tableExists(on db: any SQLDatabase, kind: DatabaseKind) async throws -> Bool {
        switch kind {
        case .sqlite:
            let rows = try await db.raw(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'hokusai_migrations'"
            ).all()
            return !rows.isEmpty
        case .postgresql:
            let row = try await db.raw("SELECT to_regclass('hokusai_migrations')::text AS name").first()
            return try row?.decodeNil(column: "name") == false
        }
    }
}
