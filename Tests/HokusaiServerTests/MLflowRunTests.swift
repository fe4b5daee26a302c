import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct MLflowRunTests {
    @Test(arguments: TestStoreKind.available)
    func createdRunsGetANameTheirURIAndTheRunNameTag(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let reply = try await client.mlflow(
                .post, "runs/create", key: app.adminKey,
                json: #"{"experiment_id":"0","start_time":"1700000000000","tags":[{"key":"mlflow.user","value":"me"}]}"#)
            let run = try #require(reply["run"] as? [String: Any])
            let info = try #require(run["info"] as? [String: Any])
            let runId = try #require(info["run_id"] as? String)
            #expect(runId.count == 32 && info["run_uuid"] as? String == runId)
            #expect(info["start_time"] as? Int == 1_700_000_000_000)
            #expect(info["status"] as? String == "RUNNING")
            #expect(info["artifact_uri"] as? String == "mlflow-artifacts:/0/\(runId)/artifacts")
            let name = try #require(info["run_name"] as? String)
            #expect(name.split(separator: "-").count == 3)
            let tags = ((run["data"] as? [String: Any])?["tags"] as? [[String: Any]]) ?? []
            #expect(tags.contains { $0["key"] as? String == "mlflow.runName" && $0["value"] as? String == name })
            let missing = try await client.mlflow(.post, "runs/create", key: app.adminKey, json: #"{"experiment_id":"99999"}"#)
            #expect(missing.status == .notFound && missing.message == "No Experiment with id=99999 exists")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func loggedDataComesBackWithLatestMetricValues(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (_, runId) = try await client.makeRun(key: app.adminKey)
            let calls = [
                ("runs/log-parameter", #"{"run_id":"\#(runId)","key":"alpha","value":"0.5"}"#),
                ("runs/log-metric", #"{"run_id":"\#(runId)","key":"loss","value":1.25,"timestamp":10,"step":1}"#),
                ("runs/log-metric", #"{"run_id":"\#(runId)","key":"loss","value":0.5,"timestamp":"11","step":"2"}"#),
                ("runs/log-metric", #"{"run_id":"\#(runId)","key":"loss","value":9,"timestamp":12,"step":0}"#),
                ("runs/log-metric", #"{"run_id":"\#(runId)","key":"nan","value":"NaN","timestamp":1}"#),
                ("runs/log-metric", #"{"run_id":"\#(runId)","key":"inf","value":"Infinity","timestamp":1}"#),
                ("runs/set-tag", #"{"run_id":"\#(runId)","key":"team","value":"ml"}"#),
                (
                    "runs/log-batch",
                    #"{"run_id":"\#(runId)","metrics":[{"key":"acc","value":0.9,"timestamp":5,"step":2}],"params":[{"key":"p1","value":"1"}],"tags":[{"key":"t","value":"v"}]}"#
                ),
            ]
            for (path, json) in calls {
                let reply = try await client.mlflow(.post, path, key: app.adminKey, json: json)
                #expect(reply.status == .ok, "\(path): \(reply.text)")
                #expect(reply.text == "{}")
            }
            let run = try #require(
                try await client.mlflow(.get, "runs/get?run_id=\(runId)&run_uuid=\(runId)", key: app.adminKey)["run"]
                    as? [String: Any])
            let data = try #require(run["data"] as? [String: Any])
            let metrics = Dictionary(
                uniqueKeysWithValues: (data["metrics"] as? [[String: Any]] ?? []).map { ($0["key"] as! String, $0) })
            #expect(metrics["loss"]?["value"] as? Double == 0.5)
            #expect(metrics["loss"]?["step"] as? Int == 2)
            #expect(metrics["nan"]?["value"] as? String == "NaN")
            #expect((metrics["inf"]?["value"] as? Double ?? 0) >= 1.7976931348623157e308)
            let params = (data["params"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
            #expect(Set(params) == ["alpha", "p1"])
            let history = try await client.mlflow(.get, "metrics/get-history?run_id=\(runId)&metric_key=loss", key: app.adminKey)
            let steps = (history["metrics"] as? [[String: Any]] ?? []).compactMap { $0["step"] as? Int }
            #expect(steps == [0, 1, 2])
        }
    }

    /// A run's params, tags and metrics come back ordered by key, from `get_run` and from a
    /// search, whatever order they were written in (PostgreSQL reads a small table in the order
    /// rows were written; the store does not ask the database to sort).
    @Test(arguments: TestStoreKind.available)
    func aRunsDataComesBackInKeyOrder(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (experimentId, runId) = try await client.makeRun(key: app.adminKey)
            let keys = ["zeta", "beta", "Alpha", "alpha", "b/2", "b/10"]
            let params = keys.map { #"{"key":"\#($0)","value":"v"}"# }.joined(separator: ",")
            let tags = keys.map { #"{"key":"t.\#($0)","value":"v"}"# }.joined(separator: ",")
            let metrics = keys.map { #"{"key":"\#($0)","value":1,"timestamp":1,"step":0}"# }.joined(separator: ",")
            let logged = try await client.mlflow(
                .post, "runs/log-batch", key: app.adminKey,
                json: #"{"run_id":"\#(runId)","params":[\#(params)],"tags":[\#(tags)],"metrics":[\#(metrics)]}"#)
            try #require(logged.status == .ok, "\(logged.text)")
            let got = try await client.mlflow(.get, "runs/get?run_id=\(runId)", key: app.adminKey)
            let searched = try await client.mlflow(
                .post, "runs/search", key: app.adminKey, json: #"{"experiment_ids":["\#(experimentId)"]}"#)
            let fromSearch = try #require((searched["runs"] as? [[String: Any]])?.first)
            for run in [try #require(got["run"] as? [String: Any]), fromSearch] {
                let data = try #require(run["data"] as? [String: Any])
                let names = { (field: String) in ((data[field] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String } }
                #expect(names("params") == keys.sorted())
                #expect(names("metrics") == keys.sorted())
                let tagKeys = names("tags")
                #expect(tagKeys == tagKeys.sorted() && tagKeys.filter { $0.hasPrefix("t.") }.count == keys.count)
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func historyPagesWithOpaqueTokens(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (_, runId) = try await client.makeRun(key: app.adminKey)
            let points = (0..<25).map { #"{"key":"m","value":\#($0),"timestamp":\#($0),"step":\#($0)}"# }.joined(separator: ",")
            _ = try await client.mlflow(
                .post, "runs/log-batch", key: app.adminKey, json: #"{"run_id":"\#(runId)","metrics":[\#(points)]}"#)
            var token: String?
            var steps: [Int] = []
            repeat {
                let query =
                    "metrics/get-history?run_id=\(runId)&metric_key=m&max_results=10" + (token.map { "&page_token=\($0)" } ?? "")
                let page = try await client.mlflow(.get, query, key: app.adminKey)
                steps += (page["metrics"] as? [[String: Any]] ?? []).compactMap { $0["step"] as? Int }
                token = page.string("next_page_token")
            } while token != nil
            #expect(steps == Array(0..<25))
            let bad = try await client.mlflow(
                .get, "metrics/get-history?run_id=\(runId)&metric_key=m&page_token=invalid_token", key: app.adminKey)
            #expect(bad.status == .badRequest && bad.errorCode == "INVALID_PARAMETER_VALUE")
        }
    }

    /// A batch's keys are bound once each and its steps written as literals: every value must come
    /// back exactly (SQLite keeps -0.0 as 0, as MLflow's does), under the key it was logged with,
    /// with the latest value per key right.
    @Test(arguments: TestStoreKind.available)
    func batchValuesComeBackExactlyUnderTheirKeys(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (_, runId) = try await client.makeRun(key: app.adminKey)
            let keys = ["loss", "val/acc score", "x-y_z:1.2"]
            let special: [Double] = [
                0, -0.0, 0.1, 1.0 / 3, 1e300, -1.5e-7, .leastNonzeroMagnitude, .pi, 123_456_789.000_001, -2.2250738585072014e-308,
            ]
            var generator = SystemRandomNumberGenerator()
            let values = special + (0..<290).map { _ in Double.random(in: -1e6...1e6, using: &generator) }
            let points = values.enumerated().map { index, value in
                #"{"key":"\#(keys[index % 3])","value":\#(value),"timestamp":\#(1000 + index),"step":\#(index)}"#
            }
            let logged = try await client.mlflow(
                .post, "runs/log-batch", key: app.adminKey,
                json: #"{"run_id":"\#(runId)","metrics":[\#(points.joined(separator: ","))]}"#)
            try #require(logged.status == .ok, "\(logged.text)")
            for (offset, key) in keys.enumerated() {
                let encoded = try #require(key.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
                let history = try await client.mlflow(
                    .get, "metrics/get-history?run_id=\(runId)&metric_key=\(encoded)&max_results=1000", key: app.adminKey)
                let got = try Self.exactMetrics(history.text, path: ["metrics"])
                let expectedSteps: [Int64] = values.indices.filter { $0 % 3 == offset }.map { Int64($0) }
                #expect(got.map(\.step) == expectedSteps, "\(key)")
                #expect(got.map(\.value) == expectedSteps.map { values[Int($0)] }, "\(key)")
            }
            let run = try await client.mlflow(.get, "runs/get?run_id=\(runId)", key: app.adminKey)
            let latest = try Self.exactMetrics(run.text, path: ["run", "data", "metrics"])
            for (offset, key) in keys.enumerated() {
                let last = values.indices.last { $0 % 3 == offset }!
                let logged: Double? = latest.first { $0.key == key }?.value
                #expect(logged == values[last], "\(key)")
            }
        }
    }

    /// Metrics read with our own parser: Foundation's JSONSerialization on Linux can round a
    /// double's last digit, which would make an exact server look inexact.
    static func exactMetrics(_ text: String, path: [String]) throws -> [(key: String, step: Int64, value: Double)] {
        var node = try JSONParser.parse(Array(text.utf8))
        for name in path {
            guard case .object(let fields) = node, let next = fields[name] else { return [] }
            node = next
        }
        guard case .array(let items) = node else { return [] }
        return items.compactMap { item in
            guard case .object(let fields) = item, case .string(let key)? = fields["key"], case .int(let step)? = fields["step"]
            else { return nil }
            switch fields["value"] {
            case .double(let value)?: return (key, step, value)
            case .int(let value)?: return (key, step, Double(value))
            default: return nil
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func updateDeleteRestoreAndWritesToDeletedRuns(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (_, runId) = try await client.makeRun(key: app.adminKey)
            let updated = try await client.mlflow(
                .post, "runs/update", key: app.adminKey,
                json: #"{"run_id":"\#(runId)","status":"FINISHED","end_time":99,"run_name":"renamed"}"#)
            let info = try #require(updated["run_info"] as? [String: Any])
            #expect(
                info["status"] as? String == "FINISHED" && info["end_time"] as? Int == 99
                    && info["run_name"] as? String == "renamed")
            _ = try await client.mlflow(.post, "runs/delete", key: app.adminKey, json: #"{"run_id":"\#(runId)"}"#)
            let fetched = try await client.mlflow(.get, "runs/get?run_id=\(runId)", key: app.adminKey)
            #expect(((fetched["run"] as? [String: Any])?["info"] as? [String: Any])?["lifecycle_stage"] as? String == "deleted")
            let refused = try await client.mlflow(
                .post, "runs/log-parameter", key: app.adminKey, json: #"{"run_id":"\#(runId)","key":"p","value":"1"}"#)
            #expect(refused.status == .badRequest && refused.errorCode == "INVALID_PARAMETER_VALUE")
            #expect(refused.message == "The run \(runId) must be in the 'active' state. Current state is deleted.")
            _ = try await client.mlflow(.post, "runs/restore", key: app.adminKey, json: #"{"run_id":"\#(runId)"}"#)
            #expect(
                try await client.mlflow(
                    .post, "runs/log-parameter", key: app.adminKey, json: #"{"run_id":"\#(runId)","key":"p","value":"1"}"#
                ).status == .ok)
            _ = try await client.mlflow(
                .post, "runs/set-tag", key: app.adminKey, json: #"{"run_id":"\#(runId)","key":"t","value":"1"}"#)
            #expect(
                try await client.mlflow(.post, "runs/delete-tag", key: app.adminKey, json: #"{"run_id":"\#(runId)","key":"t"}"#)
                    .status == .ok)
            let gone = try await client.mlflow(
                .post, "runs/delete-tag", key: app.adminKey, json: #"{"run_id":"\#(runId)","key":"t"}"#)
            #expect(gone.status == .notFound)
            let absent = try await client.mlflow(.get, "runs/get?run_id=deadbeef", key: app.adminKey)
            #expect(
                absent.status == .notFound && absent.errorCode == "RESOURCE_DOES_NOT_EXIST"
                    && absent.message == "Run with id=deadbeef not found")
        }
    }
}
