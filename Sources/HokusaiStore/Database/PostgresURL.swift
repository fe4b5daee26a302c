import Foundation
import NIOSSL
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=…&schema=…` URL, parsed.
///
/// `sslmode` follows libpq: `disable`, `prefer` (default) and `require` encrypt when they can without
/// checking the certificate; `verify-full` checks it. `schema` sets the `search_path`, so several
/// deployments (or test runs) can share one database. `pool_size` caps connections (default 16).
public struct PostgresURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    public var sslMode: String
    public var schema: String?
    public var maximumConnections: Int

    public static func isPostgres(_ url: String) -> Bool {
        url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
    }

    public init(_ text: String) throws {
        guard Self.isPostgres(text), let components = URLComponents(string: text), let host = components.host,
            !host.isEmpty
        else {
            throw StoreError.invalidDatabaseURL("expected postgres://user:password@host:port/database")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        self.password = components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? nil : path
        var query = [String: String]()
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        self.sslMode = query["sslmode"] ?? "prefer"
        guard ["disable", "prefer", "require", "verify-full"].contains(sslMode) else {
            throw StoreError.invalidDatabaseURL("sslmode must be disable, prefer, require or verify-full")
        }
        self.schema = query["schema"] ?? query["search_path"]
        if let schema, schema.isEmpty || !schema.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            throw StoreError.invalidDatabaseURL("schema must be letters, digits and '_'")
        }
        self.maximumConnections = Int(query["pool_size"] ?? "") ?? 16
    }

    var tls: PostgresClient.Configuration.TLS {
        switch tlsChoice {
        case .none: return .disable
        case .preferred(let settings): return .prefer(settings)
        case .required(let settings): return .require(settings)
        }
    }

    /// The same choice for a connection of its own, outside the pool (`LISTEN`).
    func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        switch tlsChoice {
        case .none: return .disable
        case .preferred(let settings): return .prefer(try NIOSSLContext(configuration: settings))
        case .required(let settings): return .require(try NIOSSLContext(configuration: settings))
        }
    }

    private enum TLSChoice {
        case none
        case preferred(TLSConfiguration)
        case required(TLSConfiguration)
    }

    private var tlsChoice: TLSChoice {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        switch sslMode {
        case "disable": return .none
        case "require": return .required(unverified)
        case "verify-full": return .required(.makeClientConfiguration())
        default: return .preferred(unverified)
        }
    }

    /// The URL without its password.
    public var displayName: String {
        let db = database.map { "/\($0)" } ?? ""
        return "postgres://\(username)@\(host):\(port)\(db)" + (schema.map { " (schema \($0))" } ?? "")
    }
}
