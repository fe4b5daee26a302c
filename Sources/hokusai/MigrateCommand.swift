import ArgumentParser
import HokusaiStore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations (also done at every start), or show the schema state with --status.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var logging: LoggingOptions

    @Flag(help: "Only report how far the store is migrated.")
    var status = false

    func run() async throws {
        let logger = try logging.makeLogger()
        let database = try await store.location().open(logger: logger)
        let runner = MigrationRunner(database: database)
        do {
            if status {
                let state = try await runner.status()
                print(
                    "\(database.displayName): migration \(state.appliedId) of \(state.latestId) applied"
                        + (state.isCurrent ? " (current)" : " (run 'hokusai migrate')"))
            } else {
                let applied = try await runner.migrate()
                if applied.isEmpty {
                    print("\(database.displayName): already current")
                }
                for migration in applied {
                    print("applied \(migration.id): \(migration.name)")
                }
            }
        } catch {
            await database.close()
            throw CommandFailure("migrate failed: \(error)")
        }
        await database.close()
    }
}
