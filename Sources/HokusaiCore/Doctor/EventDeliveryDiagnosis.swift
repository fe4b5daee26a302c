import Foundation

/// Judges registration-event delivery from what the server reports: an outbox summary, or one
/// event's state. The causes are the reference's: a wrong webhook URL, a secret the site does
/// not share ("401 Invalid signature"), a receiver that is down, and no webhook configured at all
/// (models "stuck in draft" on the site).
public enum EventDeliveryDiagnosis {
    /// How long a queued event may wait before "not delivered yet" becomes a finding.
    public static let patienceMillis: Int64 = 120_000

    public struct Verdict: Sendable, Equatable {
        public var outcome: CheckOutcome
        public var evidence: String
        public var diagnosis: Diagnosis?
    }

    public static func assess(_ summary: EventPipelineSummary, now: Int64) -> Verdict {
        let counts = "\(summary.queued) queued, \(summary.delivered) delivered, \(summary.dead) dead"
        guard summary.webhookTargets > 0 else {
            return Verdict(
                outcome: .warn, evidence: "no webhook configured; \(counts)",
                diagnosis: Diagnosis(
                    layer: .eventDelivery,
                    cause: summary.queued > 0
                        ? "no webhook is configured: \(summary.queued) registration events are waiting and the Hokusai site has not heard of them"
                        : "no webhook is configured: registrations will be recorded but the Hokusai site will not hear of them",
                    fix: "start the server with --webhook-url <the site's endpoint> and --webhook-secret <the shared secret>"))
        }
        if summary.dead > 0 {
            let detail = summary.latestFailure.map { "; latest failure: \(cause(of: $0.status, error: $0.error))" } ?? ""
            return Verdict(
                outcome: .fail, evidence: counts,
                diagnosis: Diagnosis(
                    layer: .eventDelivery,
                    cause: "\(summary.dead) registration events gave up after the retry window\(detail)",
                    fix: fix(for: summary.latestFailure?.status)
                        + "; then send them again: hokusai events redeliver <event id> (ids: hokusai events list --state dead)"))
        }
        let waiting = summary.oldestQueuedAt.map { now - $0 } ?? 0
        if summary.queued > 0, waiting > patienceMillis {
            let seconds = waiting / 1000
            if let failure = summary.latestFailure {
                return Verdict(
                    outcome: .fail, evidence: "\(counts); the oldest has waited \(seconds) s",
                    diagnosis: Diagnosis(
                        layer: .eventDelivery,
                        cause: "deliveries are failing and being retried: \(cause(of: failure.status, error: failure.error))",
                        fix: fix(for: failure.status)))
            }
            return Verdict(
                outcome: .fail, evidence: "\(counts); the oldest has waited \(seconds) s with no attempt",
                diagnosis: Diagnosis(
                    layer: .eventDelivery, cause: "events are queued but nothing is delivering them",
                    fix: "check the server log for the webhook delivery loop; restart the server"))
        }
        return Verdict(outcome: .pass, evidence: "\(summary.webhookTargets) webhook target(s); \(counts)", diagnosis: nil)
    }

    /// One event read back after a ping: delivered, still trying, or given up.
    public static func assess(state: EventState, status: Int?, error: String?, waitedSeconds: Int) -> Verdict {
        switch state {
        case .delivered:
            return Verdict(
                outcome: .pass, evidence: "delivered in about \(waitedSeconds) s (receiver answered \(status ?? 200))",
                diagnosis: nil)
        case .dead, .queued:
            guard let error else {
                return Verdict(
                    outcome: .fail, evidence: "still queued after \(waitedSeconds) s; no delivery attempt has finished",
                    diagnosis: Diagnosis(
                        layer: .eventDelivery,
                        cause:
                            "the ping was not delivered in \(waitedSeconds) s and no attempt has finished: the receiver is slow to answer or refuse (an attempt can take up to the attempt timeout), or nothing is delivering",
                        fix:
                            "run again with a longer --event-timeout; if it stays queued, check the server log for the webhook delivery loop"
                    ))
            }
            return Verdict(
                outcome: .fail, evidence: "\(state.rawValue) after \(waitedSeconds) s: \(error)",
                diagnosis: Diagnosis(
                    layer: .eventDelivery, cause: cause(of: status, error: error), fix: fix(for: status)))
        }
    }

    static func cause(of status: Int?, error: String) -> String {
        switch status {
        case 401?, 403?:
            "the receiver refuses the events (\(status ?? 0)), most likely their signature: this server's --webhook-secret is missing or differs from the secret the receiver checks with (\(error))"
        case 404?, 405?: "the webhook URL is wrong: the receiver has no such endpoint (\(error))"
        case let code? where (400..<500).contains(code): "the receiver rejects the event as invalid (\(error))"
        case let code? where code >= 500: "the receiver is failing (\(error))"
        default: "cannot reach the receiver: \(error)"
        }
    }

    static func fix(for status: Int?) -> String {
        switch status {
        case 401?, 403?: "set the same secret on both sides (--webhook-secret here, the site's webhook secret there)"
        case 404?, 405?: "correct --webhook-url (the site's registration webhook endpoint)"
        case let code? where (400..<500).contains(code): "compare the payload with what the receiver expects (README: webhooks)"
        case let code? where code >= 500: "check the receiver's own logs; deliveries are retried with backoff"
        default: "check that the receiver runs and that this server can reach it (DNS, firewall, --webhook-url)"
        }
    }
}

extension EventPipelineSummary {
    /// Reads `GET /api/v1/events/summary`'s answer.
    public init?(json: [String: Any]) {
        guard let targets = json["webhook_targets"] as? Int, let queued = json["queued"] as? Int,
            let delivered = json["delivered"] as? Int, let dead = json["dead"] as? Int
        else { return nil }
        self.init(
            webhookTargets: targets, queued: queued, delivered: delivered, dead: dead,
            oldestQueuedAt: (json["oldest_queued_at"] as? NSNumber)?.int64Value,
            lastDeliveredAt: (json["last_delivered_at"] as? NSNumber)?.int64Value)
        if let failure = json["latest_failure"] as? [String: Any], let id = failure["event_id"] as? String {
            latestFailure = Failure(
                eventId: id, state: EventState(rawValue: failure["state"] as? String ?? "") ?? .queued,
                attempts: failure["attempts"] as? Int ?? 0, status: failure["last_status"] as? Int,
                error: failure["last_error"] as? String ?? "")
        }
    }
}
