/// Failures of the store itself (as opposed to "not found", which repositories return as nil).
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case invalidDatabaseURL(String)
    case cannotConnect(target: String, reason: String)
    case databaseNewerThanBinary(applied: Int, known: Int)
    case corruptRow(table: String, detail: String)
    case sqliteInUse(path: String, holderPid: Int32?)
    case sqliteOnNetworkFileSystem(path: String, fileSystem: String)

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
        case .sqliteInUse(let path, let pid):
            "\(path) is already served by another hokusai serve"
                + (pid.map { " (pid \($0))" } ?? "")
                + ": a SQLite store is for one server process; stop that one, or run replicas on PostgreSQL (--database-url postgres://…)"
        case .sqliteOnNetworkFileSystem(let path, let fileSystem):
            "\(path) is on \(fileSystem), a network file system, where SQLite's locking does not work and the file "
                + "can be corrupted: put the data folder on a local disk, or use PostgreSQL (--database-url postgres://…)"
        }
    }
}
