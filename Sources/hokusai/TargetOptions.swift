import ArgumentParser
import Foundation
import HokusaiStore
import Logging

/// Where a command works, and how it prints the result: the store directly (the operator at the
/// machine), or a running server through its HTTP API (`--url`, with the key in `HOKUSAI_API_KEY`).
/// Backends of both kinds return the server's JSON, so the output is the same either way.
struct TargetOptions: ParsableArguments {
    @Option(help: "A running server's base URL; its API is used with the key in HOKUSAI_API_KEY (env HOKUSAI_URL).")
    var url: String?

    @OptionGroup var store: StoreOptions
    @OptionGroup var logging: LoggingOptions

    @Flag(help: "Print the server's JSON instead of a table.")
    var json = false

    var isRemote: Bool { Setting.string(url, env: "HOKUSAI_URL") != nil }

    /// Runs `body` with the remote backend when a server is named, else the local one, and closes it after.
    func withBackend<Backend>(
        remote: (ServerClient) -> Backend, local: (StoreLocation, Logger) async throws -> Backend,
        close: (Backend) async -> Void, _ body: (Backend) async throws -> Void
    ) async throws {
        let backend: Backend
        if let url = Setting.string(url, env: "HOKUSAI_URL") {
            guard let key = Setting.string(nil, env: "HOKUSAI_API_KEY") else {
                throw CommandFailure("--url needs an API key in HOKUSAI_API_KEY")
            }
            backend = remote(ServerClient(baseURL: url, apiKey: key))
        } else {
            do {
                backend = try await local(try store.location(), try logging.makeLogger())
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                throw CommandFailure("cannot open the store: \(error)")
            }
        }
        do {
            try await body(backend)
        } catch {
            await close(backend)
            throw error
        }
        await close(backend)
    }

    func emit(_ data: Data, table: (Data) throws -> String) throws {
        if json {
            print(KeyOutput.prettyJSON(data))
        } else {
            print(try table(data))
        }
    }
}
