import ArgumentParser
import Foundation
import HokusaiCore

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a deployment stage by stage and say which layer is broken, why, and what to do.",
        discussion: "Exit status: 0 healthy, 1 degraded, 2 failing.")

    @Option(help: "The server's base URL (env HOKUSAI_URL).") var url: String?
    @Option(
        name: .customLong("api-key"),
        help: "The key to check with (env HOKUSAI_API_KEY or MLFLOW_TRACKING_TOKEN); only ever shown masked.")
    var apiKey: String?
    @Option(help: "Comma-separated stages: infra,auth,tracking,artifacts,registry,events,ui (default all).") var stages: String?
    @Option(help: "text, markdown or json (default text).") var format = "text"
    @Option(
        name: .customLong("auth-url"),
        help: "A split deployment's auth service, checked directly in the auth stage (http://auth:8000).")
    var authURL: String?
    @Option(name: .customLong("service-id"), help: "The service the key should be for, checked by validate (default platform).")
    var serviceId = "platform"
    @Flag(
        name: .customLong("send-test-event"),
        help: "Queue a ping to the configured webhooks and wait for its delivery (the receiver sees event_type \"ping\").")
    var sendTestEvent = false
    @Option(name: .customLong("event-timeout"), help: "Seconds to wait for the ping's delivery (default 30).")
    var eventTimeout = 30
    @Flag(help: "Keep what the checks created (experiment, run, artifacts, model) instead of deleting it.") var keep = false

    static let allStages = ["infra", "auth", "tracking", "artifacts", "registry", "events", "ui"]

    func run() async throws {
        guard let base = Setting.string(url, env: "HOKUSAI_URL") else { throw ValidationError("--url is required") }
        guard ["text", "markdown", "json"].contains(format) else {
            throw ValidationError("--format must be text, markdown or json")
        }
        let selected = stages.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? Self.allStages
        if let unknown = selected.first(where: { !Self.allStages.contains($0) }) {
            throw ValidationError("unknown stage '\(unknown)'; stages are \(Self.allStages.joined(separator: ", "))")
        }
        let key = Setting.string(apiKey, env: "HOKUSAI_API_KEY") ?? Setting.string(nil, env: "MLFLOW_TRACKING_TOKEN")
        let session = DoctorSession(
            probe: DoctorProbe(baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base, key: key),
            showProgress: format == "text" && isatty(STDERR_FILENO) == 1)
        session.serviceId = serviceId
        session.sendTestEvent = sendTestEvent
        session.eventWait = .seconds(max(1, eventTimeout))
        if session.showProgress {
            FileHandle.standardError.write(Data("checking \(base) with key \(key.map(APIKeyFormat.mask) ?? "(none)")\n".utf8))
        }
        for stage in selected {
            if let reason = session.unreachable {
                session.skip(stage, "all checks", because: "\(reason) (see infra)")
                continue
            }
            switch stage {
            case "infra": await DoctorStages.infra(session)
            case "auth":
                await DoctorStages.auth(session)
                if let authURL { await DoctorStages.authService(session, url: authURL) }
            case "tracking": await DoctorStages.tracking(session)
            case "artifacts": await DoctorStages.artifactsStage(session)
            case "registry": await DoctorStages.registry(session)
            case "ui": await DoctorStages.ui(session)
            default: await DoctorStages.events(session)
            }
        }
        if !keep { await session.runCleanup() }
        await session.probe.shutdown()
        let report = DoctorReport(target: base, checks: session.checks)
        switch format {
        case "json": print(String(decoding: report.json(), as: UTF8.self))
        case "markdown": print(report.markdown())
        default: print(report.text())
        }
        if report.verdict != .healthy { throw ExitCode(report.verdict.exitCode) }
    }
}
