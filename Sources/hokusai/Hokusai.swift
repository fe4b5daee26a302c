import ArgumentParser
import HokusaiServer

@main
struct Hokusai: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hokusai",
        abstract: "Hokusai Registry: API keys, an authenticating gateway and an MLflow-compatible model registry in one binary.",
        version: HokusaiVersion.current,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, KeysCommand.self, ModelsCommand.self, EventsCommand.self,
            ArtifactsCommand.self,
            DoctorCommand.self,
        ])
}
