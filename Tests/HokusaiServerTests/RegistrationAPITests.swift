import Foundation
import HTTPTypes
import HokusaiCore
import HokusaiServer
import Hummingbird
import HummingbirdTesting
import Testing

extension TestClientProtocol {
    @discardableResult
    func registerToken(
        key: String, runId: String, name: String = "scorer", metric: String = "accuracy", baseline: Double = 0.8,
        current: Double = 0.9
    ) async throws -> JSONReply {
        try await call(
            .post, "/api/models/register", key: key,
            json:
                #"{"model_uri":"runs:/\#(runId)/model","model_name":"\#(name)","token_id":"tok","metric_name":"\#(metric)","baseline_value":\#(baseline),"current_value":\#(current)}"#
        )
    }
}

@Suite struct RegistrationAPITests {
    @Test(arguments: TestStoreKind.available)
    func aRefusedRegistrationWritesNothing(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let key = app.adminKey
            let (_, runId) = try await client.makeLoggedModel(key: key)
            let refused = try await client.registerToken(key: key, runId: runId, metric: "mse", baseline: 0.3, current: 0.4)
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect((refused["errors"] as? [[String: Any]])?.map { $0["field"] as? String } == ["current_value"])
            #expect(try await client.mlflow(.get, "registered-models/get?name=scorer", key: key).status == .notFound)
            let events = try await client.call(.get, "/api/v1/events", key: key)
            #expect((events["events"] as? [Any])?.isEmpty == true)

            #expect(try await client.registerToken(key: key, runId: runId).status == .created)
            let worse = try await client.call(
                .post, "/api/models/tokenized-registration-events", key: key,
                json:
                    #"{"model_name":"scorer","version":"1","token_id":"tok","proposal_identifier":"p2","metric_name":"mse","mlflow_run_id":"\#(runId)","baseline_value":0.3,"current_value":0.4}"#
            )
            #expect(worse.status == .unprocessableContent)
            let version = try await client.call(.get, "/api/models/scorer/1", key: key)
            #expect(
                (version["tags"] as? [String: Any])?["benchmark_metric"] as? String == "accuracy",
                "tags of the refused call were not written")
            #expect(((try await client.call(.get, "/api/v1/events", key: key))["events"] as? [Any])?.count == 1)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func registeredVersionsAreReadAndManagedThroughTheAPI(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let key = app.adminKey
            let (_, firstRun) = try await client.makeLoggedModel(key: key)
            let (_, secondRun) = try await client.makeLoggedModel(key: key)
            let created = try await client.registerToken(key: key, runId: firstRun)
            #expect(created.status == .created && created.string("version") == "1" && created.string("event_status") == "queued")
            try await client.registerToken(key: key, runId: secondRun, current: 0.95)

            let byToken = try await client.call(.get, "/api/models?token_id=tok", key: key)
            #expect((byToken["models"] as? [[String: Any]])?.count == 2)
            let page = try await client.call(.get, "/api/models?token_id=tok&limit=1", key: key)
            #expect((page["models"] as? [Any])?.count == 1 && page.string("next_page_token") != nil)
            #expect(((try await client.call(.get, "/api/models?token_id=other", key: key))["models"] as? [Any])?.isEmpty == true)
            let alias = try await client.call(.get, "/api/models/by-token/TOK", key: key)
            #expect((alias["models"] as? [Any])?.count == 2)
            #expect(try await client.call(.get, "/api/models/by-token/none", key: key).status == .notFound)

            let lineage = try await client.call(.get, "/api/models/scorer/lineage", key: key)
            let entries = try #require(lineage["lineage"] as? [[String: Any]])
            #expect(entries.map { $0["version"] as? String } == ["1", "2"])
            #expect(abs((entries[1]["delta"] as? Double ?? 0) - 0.15) < 1e-9)
            #expect(lineage["latest_version"] as? String == "2")
            #expect(try await client.call(.get, "/api/models/nope/lineage", key: key).status == .notFound)

            let moved = try await client.call(
                .post, "/api/models/scorer/2/transition", key: key, json: #"{"stage":"production"}"#)
            #expect(moved.status == .ok, "\(moved.text)")
            let production = try await client.call(.get, "/api/models/production", key: key)
            #expect((production["models"] as? [[String: Any]])?.map { $0["version"] as? String } == ["2"])
            let shown = try await client.call(.get, "/api/models/scorer/2", key: key)
            #expect((shown["tags"] as? [String: Any])?["lifecycle_stage"] as? String == "Production")
            #expect(shown["aliases"] as? [String] == ["production"])

            let patched = try await client.call(
                .patch, "/api/models/scorer/1", key: key, json: #"{"description":"first","tags":{"team":"growth"}}"#)
            #expect(patched.status == .ok)
            let first = try await client.call(.get, "/api/models/scorer/1", key: key)
            #expect(first.string("description") == "first" && (first["tags"] as? [String: Any])?["team"] as? String == "growth")
            #expect(try await client.call(.delete, "/api/models/scorer/1", key: key).status == .ok)
            #expect(try await client.call(.get, "/api/models/scorer/1", key: key).status == .notFound)
            #expect(try await client.call(.get, "/api/models/scorer/abc", key: key).status == .badRequest)
        }
    }

    @Test func eventsAreForAdminsAndRegistrationNeedsWrite() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let user = try await client.createKey(admin: app.adminKey, #"{"name":"u","user_id":"u1","scopes":["read","write"]}"#)
            let reader = try await client.createKey(admin: app.adminKey, #"{"name":"r","user_id":"u1","scopes":["read"]}"#)
            #expect(try await client.call(.get, "/api/v1/events", key: user.key).status == .forbidden)
            let refused = try await client.call(.post, "/api/models/tokenized-registration-events", key: reader.key, json: "{}")
            #expect(
                refused.status == .forbidden
                    && refused.string("detail") == "Insufficient permissions for model registration events")
            let unknown = try await client.call(.post, "/api/v1/events/evt_nope/redeliver", key: app.adminKey)
            #expect(unknown.status == .notFound)
            let bad = try await client.call(.get, "/api/v1/events?state=lost", key: app.adminKey)
            #expect(bad.status == .badRequest)
        }
    }

    @Test func webhookTargetsOnMetadataAddressesStopTheServerFromStarting() async throws {
        let error = await #expect(throws: (any Error).self) {
            try await TestApp.run(.sqlite, configure: { $0.webhooks.urls = ["http://169.254.169.254/latest/meta-data"] }) {
                _, _ in
            }
        }
        #expect(String(describing: error).contains("metadata"))
    }
}
