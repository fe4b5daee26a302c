import Testing

@testable import HokusaiCore

@Suite struct EventDeliveryDiagnosisTests {
    let now: Int64 = 10_000_000

    func summary(
        targets: Int = 1, queued: Int = 0, dead: Int = 0, oldestAgoMillis: Int64? = nil,
        failure: EventPipelineSummary.Failure? = nil
    ) -> EventPipelineSummary {
        EventPipelineSummary(
            webhookTargets: targets, queued: queued, delivered: 3, dead: dead, oldestQueuedAt: oldestAgoMillis.map { now - $0 },
            latestFailure: failure)
    }

    func failure(status: Int?, error: String, state: EventState = .queued) -> EventPipelineSummary.Failure {
        .init(eventId: "evt_1", state: state, attempts: 4, status: status, error: error)
    }

    @Test func aHealthyOutboxPasses() {
        let verdict = EventDeliveryDiagnosis.assess(summary(queued: 1, oldestAgoMillis: 5_000), now: now)
        #expect(verdict.outcome == .pass && verdict.diagnosis == nil)
        #expect(verdict.evidence.contains("1 queued, 3 delivered, 0 dead"))
    }

    @Test func noWebhookIsAWarningThatSaysWhatIsWaiting() {
        let verdict = EventDeliveryDiagnosis.assess(summary(targets: 0, queued: 2), now: now)
        #expect(verdict.outcome == .warn)
        #expect(verdict.diagnosis?.layer == .eventDelivery)
        #expect(verdict.diagnosis?.cause.contains("2 registration events are waiting") == true)
        #expect(verdict.diagnosis?.fix.contains("--webhook-url") == true)
    }

    @Test func deadEventsFailAndSayHowToSendThemAgain() {
        let verdict = EventDeliveryDiagnosis.assess(
            summary(dead: 2, failure: failure(status: 404, error: "https://site answered 404", state: .dead)), now: now)
        #expect(verdict.outcome == .fail)
        #expect(verdict.diagnosis?.cause.contains("2 registration events gave up") == true)
        #expect(verdict.diagnosis?.cause.contains("webhook URL is wrong") == true)
        #expect(verdict.diagnosis?.fix.contains("hokusai events redeliver") == true)
    }

    @Test func stuckEventsAreBlamedOnTheirCause() {
        let cases: [(Int?, String)] = [
            (401, "signature"), (403, "signature"), (404, "webhook URL is wrong"), (422, "rejects the event"),
            (503, "receiver is failing"), (nil, "cannot reach the receiver"),
        ]
        for (status, expected) in cases {
            let verdict = EventDeliveryDiagnosis.assess(
                summary(queued: 1, oldestAgoMillis: 600_000, failure: failure(status: status, error: "x")), now: now)
            #expect(verdict.outcome == .fail, "\(String(describing: status))")
            #expect(verdict.diagnosis?.cause.contains(expected) == true, "\(String(describing: status))")
        }
        let young = EventDeliveryDiagnosis.assess(
            summary(queued: 1, oldestAgoMillis: 10_000, failure: failure(status: 503, error: "x")), now: now)
        #expect(young.outcome == .pass, "a failure being retried for seconds is not yet a finding")
        let unattempted = EventDeliveryDiagnosis.assess(summary(queued: 1, oldestAgoMillis: 600_000), now: now)
        #expect(unattempted.diagnosis?.cause.contains("nothing is delivering") == true)
    }

    @Test func aPingIsJudgedByItsState() {
        #expect(EventDeliveryDiagnosis.assess(state: .delivered, status: 200, error: nil, waitedSeconds: 1).outcome == .pass)
        let refused = EventDeliveryDiagnosis.assess(
            state: .queued, status: 401, error: "https://site answered 401", waitedSeconds: 1)
        #expect(refused.outcome == .fail && refused.diagnosis?.fix.contains("--webhook-secret") == true)
        let silent = EventDeliveryDiagnosis.assess(state: .queued, status: nil, error: nil, waitedSeconds: 30)
        #expect(silent.outcome == .fail && silent.diagnosis?.fix.contains("--event-timeout") == true)
    }

    @Test func theSummaryIsReadFromTheServersJSON() {
        let json: [String: Any] = [
            "webhook_targets": 1, "queued": 1, "delivered": 2, "dead": 0, "oldest_queued_at": 123,
            "latest_failure": ["event_id": "evt_x", "state": "queued", "attempts": 2, "last_status": 500, "last_error": "boom"],
        ]
        let parsed = EventPipelineSummary(json: json)
        #expect(parsed?.oldestQueuedAt == 123 && parsed?.latestFailure?.status == 500 && parsed?.latestFailure?.error == "boom")
        #expect(EventPipelineSummary(json: ["queued": 1]) == nil)
    }

    @Test func aWebhookIsNamedWithoutItsPathOrQuery() {
        #expect(WebhookTargetPolicy.displayName("https://hokus.ai:8443/api/webhooks/x?token=s3cret") == "https://hokus.ai:8443")
        #expect(WebhookTargetPolicy.displayName("http://site.example/hook") == "http://site.example")
    }
}
