/// Failures of the store itself (as opposed to "not found", which repositories return as nil).
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case invalidDatabaseURL(String)
    case cannotConnect(target: String, reason: String)
    case databaseNewerThanBinary(applied: Int, known: Int)
    case corruptRow(table: String, detail: String)

    public var description: String {
        switch self {
        case .invalidDatabaseURL(let why):
            "Invalid database URL: \(why)"
        case .cannotConnect(let target, let reason):
            "Cannot connect to \(target): \(reason)"
        case .databaseNewerThanBinary(let applied, let known):
            "The database has migration \(applied) applied, but this binary knows only up to \(known): "
                + "run a newer hokusai, or restore a backup"
        case .corruptRow(let table, let detail):
            "Unreadable row in \(table): \(detail)"
        }
    }
}
