import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct MLflowLoggedModelTests {
    @Test(arguments: TestStoreKind.available)
    func theLogModelSequenceWorks(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let key = app.adminKey
            let (experimentId, runId) = try await client.makeRun(key: key)
            let created = try await client.mlflow(
                .post, "logged-models", key: key,
                json:
                    #"{"experiment_id":"\#(experimentId)","name":"model","source_run_id":"\#(runId)","params":[{"key":"alpha","value":"0.5"}],"tags":[{"key":"mlflow.user","value":"me"}]}"#
            )
            #expect(created.status == .ok, "\(created.text)")
            let info = try #require((created["model"] as? [String: Any])?["info"] as? [String: Any])
            let modelId = try #require(info["model_id"] as? String)
            #expect(modelId.hasPrefix("m-") && modelId.count == 34)
            #expect(info["status"] as? String == "LOGGED_MODEL_PENDING")
            #expect(info["artifact_uri"] as? String == "mlflow-artifacts:/\(experimentId)/models/\(modelId)/artifacts")
            #expect(info["source_run_id"] as? String == runId)
            let outputs = try await client.mlflow(
                .post, "runs/outputs", key: key, json: #"{"run_id":"\#(runId)","models":[{"model_id":"\#(modelId)","step":0}]}"#)
            #expect(outputs.status == .ok)
            let finalized = try await client.mlflow(
                .patch, "logged-models/\(modelId)", key: key, json: #"{"model_id":"\#(modelId)","status":"LOGGED_MODEL_READY"}"#)
            #expect(
                ((finalized["model"] as? [String: Any])?["info"] as? [String: Any])?["status"] as? String == "LOGGED_MODEL_READY")
            let tagged = try await client.mlflow(
                .patch, "logged-models/\(modelId)/tags", key: key,
                json: #"{"tags":[{"key":"mlflow.modelVersions","value":"[]"}]}"#)
            #expect(tagged.status == .ok)
            let found = try await client.mlflow(
                .post, "logged-models/search", key: key,
                json: #"{"experiment_ids":["\#(experimentId)"],"filter":"name = 'model'"}"#)
            let models = try #require(found["models"] as? [[String: Any]])
            #expect(models.count == 1)
            let tags = ((models[0]["info"] as? [String: Any])?["tags"] as? [[String: Any]] ?? []).compactMap {
                $0["key"] as? String
            }
            #expect(tags == ["mlflow.modelVersions", "mlflow.user"])
            let none = try await client.mlflow(
                .post, "logged-models/search", key: key,
                json: #"{"experiment_ids":["\#(experimentId)"],"filter":"name = 'other'"}"#)
            #expect((none["models"] as? [Any])?.isEmpty == true)
            let run = try await client.mlflow(.get, "runs/get?run_id=\(runId)", key: key)
            let modelOutputs =
                (((run["run"] as? [String: Any])?["outputs"] as? [String: Any])?["model_outputs"] as? [[String: Any]]) ?? []
            #expect(modelOutputs.first?["model_id"] as? String == modelId)
            #expect(try await client.mlflow(.delete, "logged-models/\(modelId)/tags/mlflow.user", key: key).status == .ok)
            #expect(try await client.mlflow(.delete, "logged-models/\(modelId)", key: key).status == .ok)
            let gone = try await client.mlflow(.get, "logged-models/\(modelId)", key: key)
            #expect(gone.status == .notFound && gone.errorCode == "RESOURCE_DOES_NOT_EXIST")
            #expect(try await client.mlflow(.get, "logged-models/\(modelId)?allow_deleted=true", key: key).status == .ok)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func datasetInputsAreRecordedAndSearchable(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let key = app.adminKey
            let (experimentId, runId) = try await client.makeRun(key: key)
            let (_, otherRun) = try await client.makeRun(key: key)
            let logged = try await client.mlflow(
                .post, "runs/log-inputs", key: key,
                json:
                    #"{"run_id":"\#(runId)","datasets":[{"tags":[{"key":"mlflow.data.context","value":"training"}],"dataset":{"name":"train-set","digest":"abc123","source_type":"http","source":"{\"url\":\"https://x\"}"}}]}"#
            )
            #expect(logged.status == .ok, "\(logged.text)")
            let run = try await client.mlflow(.get, "runs/get?run_id=\(runId)", key: key)
            let inputs =
                (((run["run"] as? [String: Any])?["inputs"] as? [String: Any])?["dataset_inputs"] as? [[String: Any]]) ?? []
            #expect((inputs.first?["dataset"] as? [String: Any])?["name"] as? String == "train-set")
            for filter in ["datasets.name = 'train-set'", "datasets.digest LIKE 'abc%'", "datasets.context = 'training'"] {
                let found = try await client.mlflow(
                    .post, "runs/search", key: key, json: #"{"experiment_ids":["\#(experimentId)"],"filter":"\#(filter)"}"#)
                let ids = (found["runs"] as? [[String: Any]] ?? []).compactMap {
                    ($0["info"] as? [String: Any])?["run_id"] as? String
                }
                #expect(ids == [runId], "\(filter)")
            }
            _ = otherRun
            // A page mixing a run with inputs and one without: each gets its own (inputs are read
            // only for the runs that have some).
            let created = try await client.mlflow(.post, "runs/create", key: key, json: #"{"experiment_id":"\#(experimentId)"}"#)
            let plainRun = try #require(((created["run"] as? [String: Any])?["info"] as? [String: Any])?["run_id"] as? String)
            let page = try await client.mlflow(.post, "runs/search", key: key, json: #"{"experiment_ids":["\#(experimentId)"]}"#)
            var inputCounts: [String: Int] = [:]
            for found in page["runs"] as? [[String: Any]] ?? [] {
                let id = (found["info"] as? [String: Any])?["run_id"] as? String ?? ""
                inputCounts[id] = ((found["inputs"] as? [String: Any])?["dataset_inputs"] as? [Any])?.count ?? 0
            }
            #expect(inputCounts == [runId: 1, plainRun: 0])
            let tooLong = try await client.mlflow(
                .post, "runs/log-inputs", key: key,
                json:
                    #"{"run_id":"\#(runId)","datasets":[{"dataset":{"name":"d","digest":"\#(String(repeating: "x", count: 37))","source_type":"http","source":"s"}}]}"#
            )
            #expect(tooLong.status == .badRequest)
        }
    }
}
