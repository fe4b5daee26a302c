import Foundation
import Logging
import PostgresKit
import PostgresNIO
import SQLKit

/// PostgreSQL through PostgresNIO's connection pool (`PostgresClient`).
public final class PostgresStoreDatabase: Database {
    public let kind = DatabaseKind.postgresql
    public let displayName: String
    private let client: PostgresClient
    private let runTask: Task<Void, Never>

    private init(client: PostgresClient, displayName: String) {
        self.client = client
        self.displayName = displayName
        self.runTask = Task { await client.run() }
    }

    /// Connects to the server in `url` and checks that it answers.
    public static func open(url: PostgresURL, logger: Logger) async throws -> PostgresStoreDatabase {
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password,
            database: url.database, tls: url.tls)
        if let schema = url.schema {
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        configuration.options.maximumConnections = url.maximumConnections
        let client = PostgresClient(configuration: configuration, backgroundLogger: driverLogger(from: logger))
        let database = PostgresStoreDatabase(client: client, displayName: url.displayName)
        // Give the pool's run loop a moment to start before the first lease, which otherwise
        // logs a spurious "run() hasn't been called yet" warning.
        try? await Task.sleep(for: .milliseconds(10))
        do {
            if let schema = url.schema {
                // The schema named in the URL is created on first use, like the SQLite file is. Under the
                // setup lock: two `CREATE SCHEMA IF NOT EXISTS` racing can both try to insert it.
                try await database.transaction { db in
                    try await database.lockForSetup(db)
                    try await db.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
                }
            } else {
                try await database.read { db in try await db.raw("SELECT 1").run() }
            }
        } catch {
            await database.close()
            throw StoreError.cannotConnect(target: url.displayName, reason: String(reflecting: error))
        }
        return database
    }

    public func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil))
        }
    }

    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await client.withConnection { connection in
            let db = connection.sql(queryLogLevel: nil)
            return try await runTransaction(on: db, begin: { try await db.raw("BEGIN").run() }, body)
        }
    }

    /// A connection of the pool, for the few things SQLKit does not cover (`LISTEN`).
    func withConnection<R: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        try await client.withConnection(body)
    }

    public func close() async {
        runTask.cancel()
        await runTask.value
    }
}
