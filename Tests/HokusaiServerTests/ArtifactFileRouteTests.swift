import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// The UI's file routes: `get-artifact`, `model-versions/get-artifact` and a logged model's
/// `artifacts/files` and `artifacts/directories`, each confined to the folder of what it names.
@Suite struct ArtifactFileRouteTests {
    @Test(arguments: TestStoreKind.available, ArtifactMedium.available)
    func aRunsFileIsServedUnderEveryPrefixTheUIUses(kind: TestStoreKind, medium: ArtifactMedium) async throws {
        try await TestApp.run(kind, artifacts: medium) { client, app in
            let key = app.adminKey
            let (experimentId, runId) = try await client.makeRun(key: key)
            let (_, otherRunId) = try await client.makeRun(key: key)
            let root = "\(experimentId)/\(runId)/artifacts"
            try #require(try await client.putArtifact("\(root)/plots/notes.txt", "accuracy went up", key: key).status == .ok)
            try #require(try await client.putArtifact("\(root)/metrics.json", #"{"f1":0.9}"#, key: key).status == .ok)
            let reader = try await client.createKey(admin: key, #"{"name":"r","user_id":"alice","scopes":["read"]}"#)

            for prefix in ["", "/api/mlflow", "/mlflow", "/ajax-api/2.0/mlflow", "/api/mlflow/ajax-api/2.0/mlflow"] {
                let reply = try await client.call(
                    .get, "\(prefix)/get-artifact?path=plots%2Fnotes.txt&run_uuid=\(runId)", key: reader.key)
                #expect(reply.status == .ok, "\(prefix): \(reply.text)")
                #expect(reply.text == "accuracy went up")
                #expect(reply.header("Content-Type") == "text/plain; charset=utf-8")
                #expect(reply.header("Content-Disposition") == #"attachment; filename="notes.txt""#)
            }
            let json = try await client.call(.get, "/get-artifact?path=metrics.json&run_id=\(runId)", key: key)
            #expect(json.status == .ok && json.header("Content-Type") == "application/json" && json.text == #"{"f1":0.9}"#)
            let partial = try await client.call(
                .get, "/get-artifact?path=plots/notes.txt&run_uuid=\(runId)", key: key, headers: [.range: "bytes=0-7"])
            #expect(partial.status == .partialContent && partial.text == "accuracy")

            let folder = try await client.call(.get, "/get-artifact?path=plots&run_uuid=\(runId)", key: key)
            #expect(folder.status == .badRequest && folder.errorCode == "INVALID_PARAMETER_VALUE", "\(folder.text)")
            let absent = try await client.call(.get, "/get-artifact?path=nope.txt&run_uuid=\(runId)", key: key)
            #expect(absent.status == .notFound && absent.errorCode == "RESOURCE_DOES_NOT_EXIST", "\(absent.text)")
            let noPath = try await client.call(.get, "/get-artifact?run_uuid=\(runId)", key: key)
            #expect(noPath.status == .badRequest && noPath.message?.contains("'path'") == true, "\(noPath.text)")
            let noRun = try await client.call(.get, "/get-artifact?path=metrics.json", key: key)
            #expect(noRun.status == .badRequest && noRun.message?.contains("'run_id'") == true, "\(noRun.text)")
            let unknownRun = try await client.call(.get, "/get-artifact?path=metrics.json&run_uuid=\(otherRunId)x", key: key)
            #expect(unknownRun.status == .notFound, "\(unknownRun.text)")
            // Another run's files are reached only through that run: no path climbs out of this one.
            for escape in [
                "..%2F..%2F\(experimentId)%2F\(otherRunId)%2Fartifacts", "%2Fetc%2Fpasswd", "a%2F..%2F..%2Fmetrics.json",
            ] {
                let reply = try await client.call(.get, "/get-artifact?path=\(escape)&run_uuid=\(runId)", key: key)
                #expect(reply.status == .badRequest && reply.message == "Invalid path", "\(escape): \(reply.text)")
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func aVersionsFileIsReadFromTheFolderItWasRegisteredFrom(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let key = app.adminKey
            let (experimentId, runId) = try await client.makeRun(key: key)
            let root = "\(experimentId)/\(runId)/artifacts"
            try #require(
                try await client.putArtifact("\(root)/model/MLmodel", "flavors:\n  sklearn: {}\n", key: key).status == .ok)
            try #require(try await client.putArtifact("\(root)/outside.txt", "not the model's", key: key).status == .ok)
            _ = try await client.mlflow(.post, "registered-models/create", key: key, json: #"{"name":"clf"}"#)
            let created = try await client.mlflow(
                .post, "model-versions/create", key: key,
                json: #"{"name":"clf","source":"runs:/\#(runId)/model","run_id":"\#(runId)"}"#)
            try #require(created.status == .ok, "\(created.text)")

            for prefix in ["", "/api/mlflow", "/mlflow"] {
                let reply = try await client.call(
                    .get, "\(prefix)/model-versions/get-artifact?path=MLmodel&name=clf&version=1", key: key)
                #expect(reply.status == .ok && reply.text == "flavors:\n  sklearn: {}\n", "\(prefix): \(reply.text)")
                #expect(reply.header("Content-Type") == "text/plain; charset=utf-8")
            }
            let climb = try await client.call(
                .get, "/model-versions/get-artifact?path=..%2Foutside.txt&name=clf&version=1", key: key)
            #expect(climb.status == .badRequest && climb.message == "Invalid path", "\(climb.text)")
            let noVersion = try await client.call(.get, "/model-versions/get-artifact?path=MLmodel&name=clf&version=9", key: key)
            #expect(noVersion.status == .notFound && noVersion.errorCode == "RESOURCE_DOES_NOT_EXIST", "\(noVersion.text)")
            let noName = try await client.call(.get, "/model-versions/get-artifact?path=MLmodel&version=1", key: key)
            #expect(noName.status == .badRequest && noName.message?.contains("'name'") == true, "\(noName.text)")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func aLoggedModelsFilesAndFoldersAreListedAndServed(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let key = app.adminKey
            let (modelId, _) = try await client.makeLoggedModel(key: key)
            let model = try await client.mlflow(.get, "logged-models/\(modelId)", key: key)
            let info = try #require((model["model"] as? [String: Any])?["info"] as? [String: Any], "\(model.text)")
            let experimentId = try #require(info["experiment_id"] as? String)
            let root = "\(experimentId)/models/\(modelId)/artifacts"
            try #require(try await client.putArtifact("\(root)/MLmodel", "artifact_path: model\n", key: key).status == .ok)
            try #require(try await client.putArtifact("\(root)/data/weights.txt", "0.1 0.2", key: key).status == .ok)

            let file = try await client.call(
                .get, "/ajax-api/2.0/mlflow/logged-models/\(modelId)/artifacts/files?artifact_file_path=data%2Fweights.txt",
                key: key)
            #expect(file.status == .ok && file.text == "0.1 0.2", "\(file.text)")
            let noPath = try await client.call(.get, "/ajax-api/2.0/mlflow/logged-models/\(modelId)/artifacts/files", key: key)
            #expect(noPath.status == .badRequest && noPath.message?.contains("artifact_file_path") == true, "\(noPath.text)")

            let top = try await client.mlflow(.get, "logged-models/\(modelId)/artifacts/directories", key: key)
            #expect(top.string("root_uri") == "mlflow-artifacts:/\(root)", "\(top.text)")
            let entries = try #require(top["files"] as? [[String: Any]])
            #expect(entries.map { $0["path"] as? String } == ["MLmodel", "data"])
            #expect(entries.map { $0["is_dir"] as? Bool } == [false, true])
            #expect(entries.first?["file_size"] as? Int == 21)
            let inner = try await client.mlflow(
                .get, "logged-models/\(modelId)/artifacts/directories?artifact_directory_path=data", key: key,
                prefix: "/ajax-api/2.0/mlflow")
            #expect((inner["files"] as? [[String: Any]])?.map { $0["path"] as? String } == ["data/weights.txt"], "\(inner.text)")
            let empty = try await client.mlflow(
                .get, "logged-models/\(modelId)/artifacts/directories?artifact_directory_path=none", key: key)
            #expect(empty.status == .ok && empty["files"] == nil, "\(empty.text)")

            let climb = try await client.mlflow(
                .get, "logged-models/\(modelId)/artifacts/directories?artifact_directory_path=..%2F..", key: key)
            #expect(climb.status == .badRequest && climb.message == "Invalid path", "\(climb.text)")
            let unknown = try await client.mlflow(
                .get, "logged-models/m-00000000000000000000000000000000/artifacts/directories", key: key)
            #expect(unknown.status == .notFound && unknown.errorCode == "RESOURCE_DOES_NOT_EXIST", "\(unknown.text)")
        }
    }
}
