import Foundation
import Logging

/// Where the store lives: a `postgres://` URL, or by default a SQLite file in the data folder.
public enum StoreLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresURL)

    public static let sqliteFileName = "hokusai.sqlite"

    /// `databaseURL` wins when given: `postgres://…`, `sqlite:///abs/path` or `sqlite:relative/path`.
    public init(databaseURL: String?, dataDirectory: String) throws {
        guard let databaseURL, !databaseURL.isEmpty else {
            self = .sqlite(path: URL(fileURLWithPath: dataDirectory).appendingPathComponent(Self.sqliteFileName).path)
            return
        }
        if PostgresURL.isPostgres(databaseURL) {
            self = .postgres(try PostgresURL(databaseURL))
        } else if databaseURL.hasPrefix("sqlite:") {
            var path = String(databaseURL.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw StoreError.invalidDatabaseURL("sqlite: URL needs a file path") }
            self = .sqlite(path: path)
        } else {
            throw StoreError.invalidDatabaseURL("use postgres://… or sqlite:PATH")
        }
    }

    public func open(logger: Logger) async throws -> any Database {
        switch self {
        case .sqlite(let path):
            try await SQLiteStoreDatabase.open(path: path, logger: logger)
        case .postgres(let url):
            try await PostgresStoreDatabase.open(url: url, logger: logger)
        }
    }
}
