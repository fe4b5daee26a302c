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
    /// For connections of their own, outside the pool.
    private let dedicatedConfiguration: PostgresConnection.Configuration
    private let dedicatedLogger: Logger

    private init(
        client: PostgresClient, displayName: String, dedicatedConfiguration: PostgresConnection.Configuration,
        dedicatedLogger: Logger
    ) {
        self.client = client
        self.displayName = displayName
        self.dedicatedConfiguration = dedicatedConfiguration
        self.dedicatedLogger = dedicatedLogger
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
        var dedicated = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password,
            database: url.database, tls: try url.connectionTLS())
        // Named, so an operator (or a test) can tell a replica's listener apart in pg_stat_activity.
        dedicated.options.additionalStartupParameters =
            configuration.options.additionalStartupParameters + [("application_name", Self.listenerName(schema: url.schema))]
        let driver = driverLogger(from: logger)
        let client = PostgresClient(configuration: configuration, backgroundLogger: driver)
        let database = PostgresStoreDatabase(
            client: client, displayName: url.displayName, dedicatedConfiguration: dedicated, dedicatedLogger: driver)
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

    /// The `application_name` of the connection that listens for key changes on `schema`.
    public static func listenerName(schema: String?) -> String {
        "hokusai key changes" + (schema.map { " (\($0))" } ?? "")
    }

    /// A connection of its own, outside the pool, closed when `body` ends: for `LISTEN`, which holds
    /// its connection for the life of the process. Held in the pool, it took a slot from requests,
    /// and when listening connections were killed again and again (a server restart, a proxy's idle
    /// cut) requests could wait for a pooled connection forever.
    func withDedicatedConnection<R: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        let connection = try await PostgresConnection.connect(
            configuration: dedicatedConfiguration, id: Int.random(in: 1...Int.max), logger: dedicatedLogger)
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    public func close() async {
        runTask.cancel()
        await runTask.value
    }
}
