import HokusaiStore
import ServiceLifecycle

/// Keeps the store open for the application's lifetime and closes it last, after the server
/// and the write-behind recorder (services stop in reverse order of registration).
struct DatabaseService: Service {
    let database: any Database

    func run() async throws {
        try? await gracefulShutdown()
        await database.close()
    }
}
