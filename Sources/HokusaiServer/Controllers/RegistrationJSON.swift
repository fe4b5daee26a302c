import Foundation
import HokusaiCore
import HokusaiStore

/// The Hokusai API's shapes for model versions, lineage and events; public so the CLI prints the
/// same JSON offline as the server answers.
public enum RegistrationJSON {
    /// `POST /api/models/register`'s answer.
    public static func registered(_ outcome: RegistrationOutcome) -> JSONValue {
        let number = String(outcome.version.version)
        return .object([
            ("model_id", .string("\(outcome.version.name)/\(number)")),
            ("model_name", .string(outcome.version.name)), ("version", .string(number)),
            ("status", .string("registered")), ("registration_timestamp", .int64(outcome.version.creationTime)),
            ("token_id", .string(outcome.event.tokenId)), ("event_id", .string(outcome.event.eventId)),
            ("event_status", .string(outcome.event.state.rawValue)), ("model", version(outcome.version)),
        ])
    }

    /// A dry run's answer: what would have been recorded and sent, with nothing queued.
    public static func dryRun(_ outcome: RegistrationOutcome) -> JSONValue {
        let payload = (try? JSONParser.parse(Array(outcome.event.payload.utf8)))?.jsonValue ?? .null
        return .object([
            ("status", .string("ok")), ("dry_run", .bool(true)), ("event_emitted", .bool(false)),
            ("model_name", .string(outcome.version.name)), ("version", .string(String(outcome.version.version))),
            ("token_id", .string(outcome.event.tokenId)), ("replayed", .bool(outcome.replayed)),
            ("idempotency_key", .string(outcome.event.idempotencyKey)), ("event", payload),
        ])
    }

    /// A page of events, as `GET /api/v1/events` answers.
    public static func events(_ events: [OutboxEvent], nextPageToken: String?) -> JSONValue {
        var fields: [(String, JSONValue)] = [("events", .array(events.map(event)))]
        if let nextPageToken { fields.append(("next_page_token", .string(nextPageToken))) }
        return .object(fields)
    }

    public static func version(_ version: ModelVersion) -> JSONValue {
        let tags = Dictionary(version.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        var fields: [(String, JSONValue)] = [
            ("name", .string(version.name)),
            ("version", .string(String(version.version))),
            ("status", .string("READY")),
            ("hokusai_status", tags[RegistrationTags.status].map { .string($0) } ?? .null),
            ("token_id", tags[RegistrationTags.tokenId].map { .string($0) } ?? .null),
            ("stage", .string(version.stage.rawValue)),
            ("aliases", .array(version.aliases.map { .string($0) })),
            ("description", .string(version.description)),
            ("source", .string(version.source)),
            ("run_id", version.runId.map { .string($0) } ?? .null),
            ("owner", .string(version.userId)),
            ("created_at", .int64(version.creationTime)),
            ("last_updated_at", .int64(version.lastUpdatedTime)),
        ]
        fields.append(("tags", .object(version.tags.map { ($0.key, .string($0.value)) })))
        return .object(fields)
    }

    /// One lineage entry: the version's benchmark, read back from its registration tags.
    static func lineageEntry(_ version: ModelVersion) -> JSONValue {
        let tags = Dictionary(version.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        let baseline = tags[RegistrationTags.baseline].flatMap(Double.init)
        let current = tags[RegistrationTags.current].flatMap(Double.init)
        let direction = tags[RegistrationTags.direction].flatMap(MetricDirection.init(rawValue:)) ?? .higherIsBetter
        var fields: [(String, JSONValue)] = [
            ("version", .string(String(version.version))),
            ("token_id", tags[RegistrationTags.tokenId].map { .string($0) } ?? .null),
            ("metric", tags[RegistrationTags.metric].map { .string($0) } ?? .null),
            ("direction", .string(direction.rawValue)),
            ("baseline_value", baseline.map { .double($0) } ?? .null),
            ("current_value", current.map { .double($0) } ?? .null),
        ]
        if let baseline, let current {
            let claim = BenchmarkClaim(metricName: "", direction: direction, baseline: baseline, current: current)
            fields.append(("delta", .double(current - baseline)))
            fields.append(("improvement_percent", claim.improvementPercent.map { .double($0) } ?? .null))
        } else {
            fields.append(("delta", .null))
        }
        fields += [
            ("stage", .string(version.stage.rawValue)), ("aliases", .array(version.aliases.map { .string($0) })),
            ("created_at", .int64(version.creationTime)),
        ]
        return .object(fields)
    }

    public static func summary(_ summary: EventPipelineSummary) -> JSONValue {
        func time(_ value: Int64?) -> JSONValue { value.map { .int64($0) } ?? .null }
        let failure: JSONValue =
            summary.latestFailure.map { failure in
                .object([
                    ("event_id", .string(failure.eventId)), ("state", .string(failure.state.rawValue)),
                    ("attempts", .int(failure.attempts)), ("last_status", failure.status.map { .int($0) } ?? .null),
                    ("last_error", .string(failure.error)),
                ])
            } ?? .null
        return .object([
            ("webhook_targets", .int(summary.webhookTargets)), ("queued", .int(summary.queued)),
            ("delivered", .int(summary.delivered)), ("dead", .int(summary.dead)),
            ("oldest_queued_at", time(summary.oldestQueuedAt)), ("last_delivered_at", time(summary.lastDeliveredAt)),
            ("latest_failure", failure),
        ])
    }

    public static func event(_ event: OutboxEvent) -> JSONValue {
        .object([
            ("event_id", .string(event.eventId)),
            ("event_type", .string(event.eventType)),
            ("state", .string(event.state.rawValue)),
            ("model_name", .string(event.modelName)),
            ("version", .string(String(event.version))),
            ("token_id", .string(event.tokenId)),
            ("idempotency_key", .string(event.idempotencyKey)),
            ("attempts", .int(event.attempts)),
            ("created_at", .int64(event.createdAt)),
            ("next_attempt_at", event.state == .queued ? .int64(event.nextAttemptAt) : .null),
            ("delivered_at", event.deliveredAt.map { .int64($0) } ?? .null),
            ("last_status", event.lastStatus.map { .int($0) } ?? .null),
            ("last_error", event.lastError.map { .string($0) } ?? .null),
        ])
    }
}
