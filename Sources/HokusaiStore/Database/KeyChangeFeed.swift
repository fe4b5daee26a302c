import Logging
import PostgresNIO

/// A store that tells other processes when a key changes (PostgreSQL's `LISTEN/NOTIFY`; see
/// `M010_KeyChangeNotifications`). SQLite has no other processes to tell and does not conform.
public protocol KeyChangeFeed: Sendable {
    /// Listens until cancelled or until the connection drops (then it throws, or returns if the
    /// server closed the channel). `listening` is called once notifications are flowing, so a
    /// caller can flush whatever it cached while it was not listening; `changed` after every
    /// committed change to a key of this store.
    func listenForKeyChanges(listening: @escaping @Sendable () -> Void, changed: @escaping @Sendable () -> Void) async throws
}

extension PostgresStoreDatabase: KeyChangeFeed {
    public func listenForKeyChanges(listening: @escaping @Sendable () -> Void, changed: @escaping @Sendable () -> Void)
        async throws
    {
        // A connection of its own, held for as long as it listens.
        try await withDedicatedConnection { connection in
            try await connection.untilClosed {
                // The trigger names the schema the write ran in; this connection's is ours.
                var schema = ""
                for try await name in try await connection.query("SELECT current_schema()", logger: connection.logger)
                    .decode(String.self)
                {
                    schema = name
                }
                try await connection.listen(on: M010_KeyChangeNotifications.channel) { notifications in
                    listening()
                    for try await notification in notifications where notification.payload == schema {
                        changed()
                    }
                }
            }
        }
    }
}
