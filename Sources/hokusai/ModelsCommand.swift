import ArgumentParser
import Foundation
import HokusaiCore

struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Register logged models for Hokusai tokens, on the store directly or through a server (--url).",
        subcommands: [Register.self])

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a logged model as a new version linked to a token, and queue its model_registered event.")

        @Option(name: .customLong("model-uri"), help: "runs:/<run_id>/<path> or models:/m-<id>.") var modelURI: String
        @Option(help: "Registered model name (created when missing).") var name: String
        @Option(name: .customLong("token-id"), help: "The Hokusai token the model is for.") var tokenId: String
        @Option(help: "Benchmark metric, e.g. accuracy, auroc, f1, mse.") var metric: String
        @Option(help: "Baseline value of the metric.") var baseline: Double
        @Option(help: "This model's value of the metric (default: the baseline).") var current: Double?
        @Option(help: "higher_is_better or lower_is_better; required for metrics outside the catalogue.") var direction: String?
        @Option(help: "Proposal identifier (default: the token id).") var proposal: String?
        @Option(
            name: .customLong("user-id"),
            help: "On the store directly: the user the model is registered for (default admin). Through --url: the key's user.")
        var userId: String?
        @OptionGroup var target: TargetOptions

        func run() async throws {
            if target.isRemote, userId != nil {
                throw ValidationError("--user-id applies on the store directly; through --url the key's user registers")
            }
            var body: [String: JSONAny] = [
                "model_uri": .string(modelURI), "model_name": .string(name), "token_id": .string(tokenId),
                "metric_name": .string(metric), "baseline_value": .double(baseline),
            ]
            if let current { body["current_value"] = .double(current) }
            if let direction { body["metric_direction"] = .string(direction) }
            if let proposal { body["proposal_identifier"] = .string(proposal) }
            try await target.withRegistration(userId: userId ?? "admin") { backend in
                try target.emit(try await backend.register(body), table: RegistrationOutput.registered)
            }
        }
    }
}

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Registration events in the outbox: list them, redeliver one (admin).",
        subcommands: [List.self, Redeliver.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List events, newest first.")
        @Option(help: "Only events in this state: queued, delivered or dead.") var state: String?
        @Option(help: "At most this many, 1 to 1000 (default 100).") var limit = 100
        @OptionGroup var target: TargetOptions

        func run() async throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000") }
            try await target.withRegistration(userId: "admin") { backend in
                try target.emit(try await backend.events(state: state, limit: limit), table: RegistrationOutput.events)
            }
        }
    }

    struct Redeliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue an event again for every webhook (a running server sends it within a second).")
        @Argument(help: "The event's id (evt_…).") var id: String
        @OptionGroup var target: TargetOptions

        func run() async throws {
            try await target.withRegistration(userId: "admin") { backend in
                try target.emit(try await backend.redeliver(id: id), table: RegistrationOutput.event)
            }
        }
    }
}

/// Tables for `hokusai models …` and `hokusai events …`, read from the server's JSON.
enum RegistrationOutput {
    static func object(_ data: Data) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CommandFailure("unexpected answer: \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return object
    }

    static func registered(_ data: Data) throws -> String {
        let reply = try object(data)
        let name = reply["model_name"] as? String ?? "?"
        let version = reply["version"] as? String ?? "?"
        return "Registered \(name) version \(version) for token \(reply["token_id"] as? String ?? "?").\n"
            + "Event \(reply["event_id"] as? String ?? "?") is \(reply["event_status"] as? String ?? "?")."
    }

    static func events(_ data: Data) throws -> String {
        let events = try object(data)["events"] as? [[String: Any]] ?? []
        guard !events.isEmpty else { return "No events." }
        let rows = events.map { event -> [String] in
            [
                event["event_id"] as? String ?? "", event["state"] as? String ?? "",
                "\(event["model_name"] as? String ?? ""):\(event["version"] as? String ?? "")",
                event["token_id"] as? String ?? "",
                String(event["attempts"] as? Int ?? 0), String((event["last_error"] as? String ?? "").prefix(60)),
            ]
        }
        return KeyOutput.table([["EVENT", "STATE", "MODEL", "TOKEN", "ATTEMPTS", "LAST ERROR"]] + rows)
    }

    static func event(_ data: Data) throws -> String {
        let event = try object(data)
        return "\(event["event_id"] as? String ?? "?") is \(event["state"] as? String ?? "?") "
            + "(\(event["model_name"] as? String ?? ""):\(event["version"] as? String ?? ""), token \(event["token_id"] as? String ?? ""))."
    }
}
