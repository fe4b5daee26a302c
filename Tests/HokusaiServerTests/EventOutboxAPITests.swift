import Foundation
import HTTPTypes
import HokusaiCore
import HokusaiServer
import Hummingbird
import HummingbirdTesting
import Testing

/// What `hokusai doctor` relies on: dry-run registrations, the delivery summary, a user's own
/// events, and pings.
@Suite struct EventOutboxAPITests {
    func dryRunBody(runId: String, _ extra: String = #""dry_run":true"#) -> String {
        #"{"model_uri":"runs:/\#(runId)/model","model_name":"scorer","token_id":"tok","metric_name":"accuracy","baseline_value":0.8,"current_value":0.9,\#(extra)}"#
    }

    @Test(arguments: TestStoreKind.available)
    func aDryRunChecksEverythingAndWritesNothing(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let key = app.adminKey
            let (_, runId) = try await client.makeLoggedModel(key: key)
            let dry = try await client.call(.post, "/api/models/register", key: key, json: dryRunBody(runId: runId))
            #expect(dry.status == .ok, "\(dry.text)")
            #expect(dry["dry_run"] as? Bool == true && dry["event_emitted"] as? Bool == false)
            let event = try #require(dry["event"] as? [String: Any])
            #expect(event["event_type"] as? String == "model_registered")
            #expect((event["model"] as? [String: Any])?["id"] as? String == "tok")
            #expect(try await client.mlflow(.get, "registered-models/get?name=scorer", key: key).status == .notFound)
            #expect(((try await client.call(.get, "/api/v1/events", key: key))["events"] as? [Any])?.isEmpty == true)

            #expect(try await client.registerToken(key: key, runId: runId).status == .created)
            let tokenized = try await client.call(
                .post, "/api/models/tokenized-registration-events", key: key,
                json:
                    #"{"dry_run":true,"model_name":"scorer","version":"1","token_id":"other","proposal_identifier":"p9","metric_name":"accuracy","mlflow_run_id":"\#(runId)","baseline_value":0.8,"current_value":0.9}"#
            )
            #expect(tokenized.status == .ok && tokenized["dry_run"] as? Bool == true, "\(tokenized.text)")
            let version = try await client.call(.get, "/api/models/scorer/1", key: key)
            #expect(version.string("token_id") == "TOK", "the dry run did not retag the version")
            #expect(((try await client.call(.get, "/api/v1/events", key: key))["events"] as? [Any])?.count == 1)
            #expect(try await client.mlflow(.get, "registered-models/get?name=scorer", key: key).status == .ok)
            let versions = try await client.mlflow(.get, "model-versions/search?filter=name%3D%27scorer%27", key: key)
            #expect((versions["model_versions"] as? [Any])?.count == 1, "the dry run's version was rolled back")

            let notBoolean = try await client.call(
                .post, "/api/models/register", key: key, json: dryRunBody(runId: runId, #""dry_run":"yes""#))
            #expect(notBoolean.status == .unprocessableContent)
            #expect((notBoolean["errors"] as? [[String: Any]])?.map { $0["field"] as? String } == ["dry_run"])
        }
    }

    @Test func usersReadTheSummaryAndTheirOwnEventsButNotOthers() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let owner = try await client.createKey(
                admin: app.adminKey, #"{"name":"o","user_id":"owner","scopes":["read","write"]}"#)
            let other = try await client.createKey(admin: app.adminKey, #"{"name":"x","user_id":"other","scopes":["read"]}"#)
            let (_, runId) = try await client.makeLoggedModel(key: owner.key)
            let registered = try await client.registerToken(key: owner.key, runId: runId)
            let eventId = try #require(registered.string("event_id"))

            let own = try await client.call(.get, "/api/v1/events/\(eventId)", key: owner.key)
            #expect(own.status == .ok && own.string("state") == "queued" && own["payload"] == nil)
            #expect(try await client.call(.get, "/api/v1/events/\(eventId)", key: other.key).status == .notFound)
            #expect((try await client.call(.get, "/api/v1/events/\(eventId)", key: app.adminKey)).string("payload") != nil)

            let summary = try await client.call(.get, "/api/v1/events/summary", key: other.key)
            #expect(summary.status == .ok)
            #expect(summary["webhook_targets"] as? Int == 0 && summary["queued"] as? Int == 1 && summary["dead"] as? Int == 0)
            let ping = try await client.call(.post, "/api/v1/events/ping", key: owner.key)
            #expect(ping.status == .conflict && ping.text.contains("--webhook-url"), "a ping with nowhere to go is refused")
            #expect(try await client.call(.post, "/api/v1/events/ping", key: other.key).status == .forbidden)
        }
    }

    @Test func aPingThatCannotBeDeliveredShowsItsFailureWithoutTheWebhooksPath() async throws {
        let closed = "http://127.0.0.1:9/hooks/secret-path?token=s3cret"
        try await TestApp.run(
            .sqlite, mode: .live,
            configure: {
                $0.webhooks.urls = [closed]
                $0.webhooks.allowLoopback = true
                $0.webhooks.attemptTimeoutSeconds = 1
                $0.webhooks.pollInterval = .milliseconds(50)
            }
        ) { client, app in
            let queued = try await client.call(.post, "/api/v1/events/ping", key: app.adminKey)
            #expect(queued.status == .accepted && queued.string("event_type") == "ping")
            let id = try #require(queued.string("event_id"))
            var state = queued
            for _ in 0..<100 where state.string("last_error") == nil {
                try await Task.sleep(for: .milliseconds(100))
                state = try await client.call(.get, "/api/v1/events/\(id)", key: app.adminKey)
            }
            let error = try #require(state.string("last_error"))
            #expect(error.hasPrefix("http://127.0.0.1:9") && !error.contains("secret"), "\(error)")
            let summary = try await client.call(.get, "/api/v1/events/summary", key: app.adminKey)
            let failure = try #require(summary["latest_failure"] as? [String: Any])
            #expect(failure["event_id"] as? String == id && summary["webhook_targets"] as? Int == 1)
        }
    }
}
