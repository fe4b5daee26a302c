import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct MLflowExperimentTests {
    @Test(arguments: TestStoreKind.available)
    func theDefaultExperimentExistsFromTheStart(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let reply = try await client.mlflow(.get, "experiments/get?experiment_id=0", key: app.adminKey)
            let experiment = try #require(reply["experiment"] as? [String: Any])
            #expect(experiment["name"] as? String == "Default")
            #expect(experiment["artifact_location"] as? String == "mlflow-artifacts:/0")
            #expect(experiment["lifecycle_stage"] as? String == "active")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func setExperimentFlowGetByNameCreateGet(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let missing = try await client.mlflow(.get, "experiments/get-by-name?experiment_name=compat-exp", key: app.adminKey)
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "RESOURCE_DOES_NOT_EXIST")
            #expect(missing.message == "Could not find experiment with name 'compat-exp'")
            let created = try await client.mlflow(.post, "experiments/create", key: app.adminKey, json: #"{"name":"compat-exp"}"#)
            let id = try #require(created.string("experiment_id"))
            #expect(Int(id) != nil && id != "0")
            let fetched = try await client.mlflow(.get, "experiments/get?experiment_id=\(id)", key: app.adminKey)
            let experiment = try #require(fetched["experiment"] as? [String: Any])
            #expect(experiment["artifact_location"] as? String == "mlflow-artifacts:/\(id)")
            #expect(experiment["creation_time"] is Int)
            let byName = try await client.mlflow(.get, "experiments/get-by-name?experiment_name=compat-exp", key: app.adminKey)
            #expect((byName["experiment"] as? [String: Any])?["experiment_id"] as? String == id)
            let duplicate = try await client.mlflow(
                .post, "experiments/create", key: app.adminKey, json: #"{"name":"compat-exp"}"#)
            #expect(duplicate.status == .badRequest && duplicate.errorCode == "RESOURCE_ALREADY_EXISTS")
            #expect(duplicate.message?.hasPrefix("Experiment(name=compat-exp) already exists") == true)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func experimentValidationMatchesTheReference(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let badId = try await client.mlflow(.get, "experiments/get?experiment_id=abc", key: app.adminKey)
            #expect(badId.status == .badRequest && badId.errorCode == "INVALID_PARAMETER_VALUE")
            #expect(badId.message == "Invalid experiment ID 'abc'. Experiment ID must be a valid integer.")
            let absent = try await client.mlflow(.get, "experiments/get?experiment_id=99999", key: app.adminKey)
            #expect(absent.status == .notFound && absent.message == "No Experiment with id=99999 exists")
            let long = String(repeating: "n", count: 501)
            let tooLong = try await client.mlflow(.post, "experiments/create", key: app.adminKey, json: #"{"name":"\#(long)"}"#)
            #expect(tooLong.status == .badRequest && tooLong.message == "'name' exceeds the maximum length of 500 characters")
            let empty = try await client.mlflow(.post, "experiments/create", key: app.adminKey, json: #"{"name":""}"#)
            #expect(
                empty.status == .badRequest && empty.message?.hasPrefix("Missing value for required parameter 'name'") == true)
            let foreign = try await client.mlflow(
                .post, "experiments/create", key: app.adminKey, json: #"{"name":"x","artifact_location":"http:///#/../../etc/"}"#)
            #expect(foreign.status == .badRequest && foreign.errorCode == "INVALID_PARAMETER_VALUE")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func renameDeleteRestoreAndTags(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let id = try #require(
                try await client.mlflow(.post, "experiments/create", key: app.adminKey, json: #"{"name":"a"}"#).string(
                    "experiment_id"))
            #expect(
                try await client.mlflow(
                    .post, "experiments/update", key: app.adminKey, json: #"{"experiment_id":"\#(id)","new_name":"b"}"#
                ).status == .ok)
            _ = try await client.mlflow(
                .post, "experiments/set-experiment-tag", key: app.adminKey,
                json: #"{"experiment_id":"\#(id)","key":"team","value":"ml"}"#)
            var fetched = try await client.mlflow(.get, "experiments/get?experiment_id=\(id)", key: app.adminKey)
            var experiment = try #require(fetched["experiment"] as? [String: Any])
            #expect(experiment["name"] as? String == "b")
            #expect((experiment["tags"] as? [[String: Any]])?.first?["value"] as? String == "ml")
            _ = try await client.mlflow(
                .post, "experiments/delete-experiment-tag", key: app.adminKey, json: #"{"experiment_id":"\#(id)","key":"team"}"#)
            _ = try await client.mlflow(.post, "experiments/delete", key: app.adminKey, json: #"{"experiment_id":"\#(id)"}"#)
            fetched = try await client.mlflow(.get, "experiments/get?experiment_id=\(id)", key: app.adminKey)
            experiment = try #require(fetched["experiment"] as? [String: Any])
            #expect(experiment["lifecycle_stage"] as? String == "deleted")
            #expect(experiment["tags"] == nil)
            let active = try await client.mlflow(
                .post, "experiments/search", key: app.adminKey, json: #"{"view_type":"ACTIVE_ONLY"}"#)
            #expect((active["experiments"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Default"])
            let deleted = try await client.mlflow(
                .post, "experiments/search", key: app.adminKey, json: #"{"view_type":"DELETED_ONLY"}"#)
            #expect((deleted["experiments"] as? [[String: Any]])?.count == 1)
            _ = try await client.mlflow(.post, "experiments/restore", key: app.adminKey, json: #"{"experiment_id":"\#(id)"}"#)
            let all = try await client.mlflow(.get, "experiments/search?view_type=ALL&max_results=1", key: app.adminKey)
            #expect((all["experiments"] as? [Any])?.count == 1)
            let token = try #require(all.string("next_page_token"))
            let second = try await client.mlflow(
                .get, "experiments/search?view_type=ALL&max_results=1&page_token=\(token)", key: app.adminKey)
            #expect((second["experiments"] as? [[String: Any]])?.first?["name"] as? String == "Default")
            let tooMany = try await client.mlflow(.post, "experiments/search", key: app.adminKey, json: #"{"max_results":50001}"#)
            #expect(tooMany.status == .badRequest && tooMany.message?.contains("50000") == true)
            let defaultDelete = try await client.mlflow(
                .post, "experiments/delete", key: app.adminKey, json: #"{"experiment_id":"0"}"#)
            #expect(defaultDelete.status == .badRequest)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func everyPrefixServesTheSameAPI(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            for prefix in [
                "/api/mlflow/api/2.0/mlflow", "/api/mlflow/ajax-api/2.0/mlflow", "/api/2.0/mlflow", "/ajax-api/2.0/mlflow",
                "/mlflow/api/2.0/mlflow",
            ] {
                let reply = try await client.mlflow(.get, "experiments/get?experiment_id=0", key: app.adminKey, prefix: prefix)
                #expect(reply.status == .ok, "\(prefix)")
                let anonymous = try await client.call(.get, "\(prefix)/experiments/get?experiment_id=0")
                #expect(anonymous.status == .unauthorized && anonymous.errorCode == "UNAUTHENTICATED", "\(prefix)")
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func readKeysReadAndOnlyOwnersChange(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (reader, _) = try await client.createKey(admin: app.adminKey, #"{"name":"r","user_id":"rita","scopes":["read"]}"#)
            let (alice, _) = try await client.createKey(admin: app.adminKey, #"{"name":"a","user_id":"alice"}"#)
            let (bob, _) = try await client.createKey(admin: app.adminKey, #"{"name":"b","user_id":"bob"}"#)
            #expect(try await client.mlflow(.get, "experiments/get?experiment_id=0", key: reader).status == .ok)
            let denied = try await client.mlflow(.post, "experiments/create", key: reader, json: #"{"name":"r"}"#)
            #expect(denied.status == .forbidden && denied.errorCode == "PERMISSION_DENIED")
            #expect(denied.message?.contains("'write'") == true)
            let (experimentId, runId) = try await client.makeRun(key: alice)
            let foreignRun = try await client.mlflow(
                .post, "runs/set-tag", key: bob, json: #"{"run_id":"\#(runId)","key":"k","value":"v"}"#)
            #expect(foreignRun.status == .forbidden && foreignRun.errorCode == "PERMISSION_DENIED")
            #expect(foreignRun.message?.contains("'alice'") == true)
            let foreignExperiment = try await client.mlflow(
                .post, "experiments/delete", key: bob, json: #"{"experiment_id":"\#(experimentId)"}"#)
            #expect(foreignExperiment.status == .forbidden)
            #expect(try await client.mlflow(.get, "runs/get?run_id=\(runId)", key: bob).status == .ok)
            let bobInDefault = try await client.mlflow(.post, "runs/create", key: bob, json: #"{"experiment_id":"0"}"#)
            #expect(bobInDefault.status == .ok)
            #expect(
                try await client.mlflow(
                    .post, "runs/set-tag", key: app.adminKey, json: #"{"run_id":"\#(runId)","key":"k","value":"v"}"#
                ).status == .ok)
        }
    }
}

@Suite struct MLflowExperimentSearchTests {
    @Test(arguments: TestStoreKind.available)
    func experimentsAreFilteredAndOrdered(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            for (name, team) in [("vision-a", "cv"), ("vision-b", "cv"), ("nlp", "text")] {
                let id = try #require(
                    try await client.mlflow(.post, "experiments/create", key: app.adminKey, json: #"{"name":"\#(name)"}"#).string(
                        "experiment_id"))
                _ = try await client.mlflow(
                    .post, "experiments/set-experiment-tag", key: app.adminKey,
                    json: #"{"experiment_id":"\#(id)","key":"team","value":"\#(team)"}"#)
            }
            func names(_ json: String) async throws -> [String] {
                let reply = try await client.mlflow(.post, "experiments/search", key: app.adminKey, json: json)
                #expect(reply.status == .ok, "\(json): \(reply.text)")
                return (reply["experiments"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            #expect(try await names(#"{"filter":"name LIKE 'vision%'","order_by":["name DESC"]}"#) == ["vision-b", "vision-a"])
            #expect(try await names(#"{"filter":"tags.team = 'text'"}"#) == ["nlp"])
            #expect(try await names(#"{"filter":"tags.team IS NULL"}"#) == ["Default"])
            #expect(try await names(#"{"filter":"name ILIKE 'NLP'"}"#) == ["nlp"])
            #expect(try await names(#"{"order_by":["name ASC"]}"#) == ["Default", "nlp", "vision-a", "vision-b"])
            #expect(
                try await names(#"{"filter":"creation_time >= 0 AND name != 'Default'","order_by":["experiment_id ASC"]}"#) == [
                    "vision-a", "vision-b", "nlp",
                ])
            let bad = try await client.mlflow(
                .post, "experiments/search", key: app.adminKey, json: #"{"filter":"metrics.x > 1"}"#)
            #expect(bad.status == .badRequest && bad.errorCode == "INVALID_PARAMETER_VALUE")
        }
    }
}

@Suite struct MLflowQueryStringTests {
    @Test(arguments: TestStoreKind.available)
    func repeatedFormEncodedQueryKeysAreLists(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            for name in ["b", "a c"] {
                _ = try await client.mlflow(.post, "experiments/create", key: app.adminKey, json: #"{"name":"\#(name)"}"#)
            }
            let reply = try await client.mlflow(
                .get, "experiments/search?order_by=name+DESC&order_by=creation_time+ASC&filter=name+LIKE+%27%25%27",
                key: app.adminKey)
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(
                (reply["experiments"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } == ["b", "a c", "Default"])
            let byName = try await client.mlflow(.get, "experiments/get-by-name?experiment_name=a+c", key: app.adminKey)
            #expect(byName.status == .ok)
        }
    }
}
