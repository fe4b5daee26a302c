import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

extension TestClientProtocol {
    /// Logs a model in a new run and returns its logged-model id and run id.
    func makeLoggedModel(key: String) async throws -> (modelId: String, runId: String) {
        let (experimentId, runId) = try await makeRun(key: key)
        let created = try await mlflow(
            .post, "logged-models", key: key,
            json: #"{"experiment_id":"\#(experimentId)","name":"model","source_run_id":"\#(runId)"}"#)
        let info = try #require((created["model"] as? [String: Any])?["info"] as? [String: Any], "\(created.text)")
        return (try #require(info["model_id"] as? String), runId)
    }

    /// Registers a new version of `name` from a fresh logged model; returns the version number.
    @discardableResult
    func makeVersion(_ name: String, key: String) async throws -> String {
        let (modelId, _) = try await makeLoggedModel(key: key)
        let reply = try await mlflow(
            .post, "model-versions/create", key: key,
            json: #"{"name":"\#(name)","source":"models:/\#(modelId)","model_id":"\#(modelId)"}"#)
        let version = try #require((reply["model_version"] as? [String: Any])?["version"] as? String, "\(reply.text)")
        return version
    }
}

extension JSONReply {
    var registeredModel: [String: Any] { object["registered_model"] as? [String: Any] ?? [:] }
    var modelVersion: [String: Any] { object["model_version"] as? [String: Any] ?? [:] }
}

@Suite struct RegistryTests {
    @Test(arguments: TestStoreKind.available)
    func registeredModelsAndVersionsFollowTheClientsWorkflow(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let key = app.adminKey
            let created = try await client.mlflow(.post, "registered-models/create", key: key, json: #"{"name":"churn"}"#)
            #expect(created.status == .ok && created.registeredModel["name"] as? String == "churn")
            // The client relies on this code to carry on when the model exists.
            let again = try await client.mlflow(.post, "registered-models/create", key: key, json: #"{"name":"churn"}"#)
            #expect(again.status == .badRequest && again.errorCode == "RESOURCE_ALREADY_EXISTS")

            let (modelId, runId) = try await client.makeLoggedModel(key: key)
            let v1 = try await client.mlflow(
                .post, "model-versions/create", key: key,
                json: #"{"name":"churn","source":"models:/\#(modelId)","model_id":"\#(modelId)"}"#)
            #expect(v1.modelVersion["version"] as? String == "1")
            #expect(v1.modelVersion["status"] as? String == "READY")
            #expect(v1.modelVersion["current_stage"] as? String == "None")
            // The run is taken from the logged model when the client leaves it out.
            #expect(v1.modelVersion["run_id"] as? String == runId)
            let uri = try await client.mlflow(.get, "model-versions/get-download-uri?name=churn&version=1", key: key)
            #expect((uri.string("artifact_uri") ?? "").hasSuffix("/models/\(modelId)/artifacts"))

            try await client.makeVersion("churn", key: key)
            #expect(
                try await client.mlflow(.delete, "model-versions/delete", key: key, json: #"{"name":"churn","version":"2"}"#)
                    .status == .ok)
            // Version numbers are never reused.
            #expect(try await client.makeVersion("churn", key: key) == "3")

            let staged = try await client.mlflow(
                .post, "model-versions/transition-stage", key: key,
                json: #"{"name":"churn","version":"1","stage":"production","archive_existing_versions":false}"#)
            #expect(staged.modelVersion["current_stage"] as? String == "Production")
            let promoted = try await client.mlflow(
                .post, "model-versions/transition-stage", key: key,
                json: #"{"name":"churn","version":"3","stage":"Production","archive_existing_versions":true}"#)
            #expect(promoted.modelVersion["current_stage"] as? String == "Production")
            let old = try await client.mlflow(.get, "model-versions/get?name=churn&version=1", key: key)
            #expect(old.modelVersion["current_stage"] as? String == "Archived")

            let latest = try await client.mlflow(
                .post, "registered-models/get-latest-versions", key: key, json: #"{"name":"churn","stages":["Production"]}"#)
            #expect((latest["model_versions"] as? [[String: Any]])?.map { $0["version"] as? String } == ["3"])
            let all = try await client.mlflow(
                .post, "registered-models/get-latest-versions", key: key, json: #"{"name":"churn"}"#)
            #expect((all["model_versions"] as? [[String: Any]])?.count == 2)

            #expect(
                try await client.mlflow(
                    .post, "registered-models/alias", key: key, json: #"{"name":"churn","alias":"champion","version":"3"}"#
                ).status == .ok)
            let byAlias = try await client.mlflow(.get, "registered-models/alias?name=churn&alias=champion", key: key)
            #expect(byAlias.modelVersion["version"] as? String == "3")
            #expect(byAlias.modelVersion["aliases"] as? [String] == ["champion"])
            let model = try await client.mlflow(.get, "registered-models/get?name=churn", key: key)
            #expect((model.registeredModel["aliases"] as? [[String: Any]])?.first?["version"] as? String == "3")
            #expect(
                (model.registeredModel["latest_versions"] as? [[String: Any]])?.map { $0["current_stage"] as? String } == [
                    "Production", "Archived",
                ])
            #expect(
                try await client.mlflow(
                    .delete, "registered-models/alias", key: key, json: #"{"name":"churn","alias":"champion"}"#
                )
                .status == .ok)
            // A missing alias is 400, not 404, on the reference server.
            let gone = try await client.mlflow(.get, "registered-models/alias?name=churn&alias=champion", key: key)
            #expect(gone.status == .badRequest && gone.message == "Registered model alias champion not found.")

            let renamed = try await client.mlflow(
                .post, "registered-models/rename", key: key, json: #"{"name":"churn","new_name":"churn-v2"}"#)
            #expect(renamed.registeredModel["name"] as? String == "churn-v2")
            #expect(try await client.mlflow(.get, "model-versions/get?name=churn-v2&version=3", key: key).status == .ok)
            #expect(
                try await client.mlflow(.delete, "registered-models/delete", key: key, json: #"{"name":"churn-v2"}"#).status
                    == .ok)
            let missing = try await client.mlflow(.get, "registered-models/get?name=churn-v2", key: key)
            #expect(missing.status == .notFound && missing.message == "Registered Model with name=churn-v2 not found")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func searchTakesTheClientsFiltersOrderAndPages(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let key = app.adminKey
            for name in ["alpha", "beta", "gamma", "prompt-x"] {
                try await client.mlflow(.post, "registered-models/create", key: key, json: #"{"name":"\#(name)"}"#)
            }
            try await client.mlflow(
                .post, "registered-models/set-tag", key: key,
                json: #"{"name":"prompt-x","key":"mlflow.prompt.is_prompt","value":"true"}"#)
            try await client.mlflow(
                .post, "registered-models/set-tag", key: key, json: #"{"name":"beta","key":"team","value":"risk"}"#)
            // What search_registered_models() sends: the prompt exclusion, which untagged models pass.
            let filter = "tag.%60mlflow.prompt.is_prompt%60+%21%3D+%27true%27"
            let first = try await client.mlflow(.get, "registered-models/search?filter=\(filter)&max_results=2", key: key)
            #expect((first["registered_models"] as? [[String: Any]])?.map { $0["name"] as? String } == ["alpha", "beta"])
            let token = try #require(first.string("next_page_token"))
            let second = try await client.mlflow(
                .get, "registered-models/search?filter=\(filter)&max_results=2&page_token=\(token)", key: key)
            #expect((second["registered_models"] as? [[String: Any]])?.map { $0["name"] as? String } == ["gamma"])

            let tagged = try await client.mlflow(.get, "registered-models/search?filter=tags.team+%3D+%27risk%27", key: key)
            #expect((tagged["registered_models"] as? [[String: Any]])?.map { $0["name"] as? String } == ["beta"])
            let like = try await client.mlflow(
                .get, "registered-models/search?filter=name+LIKE+%27%25a%27&order_by=name+DESC", key: key)
            #expect((like["registered_models"] as? [[String: Any]])?.map { $0["name"] as? String } == ["gamma", "beta", "alpha"])
            let bad = try await client.mlflow(.get, "registered-models/search?filter=creation_timestamp+%3E+1", key: key)
            #expect(bad.status == .badRequest && bad.message?.contains("Invalid attribute key 'creation_timestamp'") == true)
            let tooMany = try await client.mlflow(.get, "registered-models/search?max_results=1001", key: key)
            #expect(tooMany.status == .badRequest)

            try await client.makeVersion("alpha", key: key)
            try await client.makeVersion("alpha", key: key)
            try await client.makeVersion("beta", key: key)
            let versions = try await client.mlflow(.get, "model-versions/search?filter=name%3D%27alpha%27", key: key)
            #expect((versions["model_versions"] as? [[String: Any]])?.map { $0["version"] as? String } == ["2", "1"])
            let numbered = try await client.mlflow(
                .get, "model-versions/search?filter=name%3D%27alpha%27+AND+version_number+%3E%3D+2", key: key)
            #expect((numbered["model_versions"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func aModelBelongsToItsCreatorUntilAnAdminTransfersIt() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let alice = try await client.createKey(
                admin: app.adminKey, #"{"name":"a","user_id":"alice","scopes":["read","write"]}"#)
            let bob = try await client.createKey(admin: app.adminKey, #"{"name":"b","user_id":"bob","scopes":["read","write"]}"#)
            try await client.mlflow(.post, "registered-models/create", key: alice.key, json: #"{"name":"owned"}"#)
            try await client.makeVersion("owned", key: alice.key)

            let (bobsModel, _) = try await client.makeLoggedModel(key: bob.key)
            let refused = try await client.mlflow(
                .post, "model-versions/create", key: bob.key,
                json: #"{"name":"owned","source":"models:/\#(bobsModel)","model_id":"\#(bobsModel)"}"#)
            #expect(refused.status == .forbidden && refused.errorCode == "PERMISSION_DENIED")
            #expect(refused.message?.contains("belongs to user 'alice'") == true, "\(refused.text)")
            for (method, path, json) in [
                (HTTPRequest.Method.post, "registered-models/alias", #"{"name":"owned","alias":"champion","version":"1"}"#),
                (.post, "model-versions/transition-stage", #"{"name":"owned","version":"1","stage":"Production"}"#),
                (.delete, "registered-models/delete", #"{"name":"owned"}"#),
                (.post, "registered-models/set-tag", #"{"name":"owned","key":"k","value":"v"}"#),
                (.patch, "model-versions/update", #"{"name":"owned","version":"1","description":"mine now"}"#),
            ] {
                #expect(try await client.mlflow(method, path, key: bob.key, json: json).status == .forbidden, "\(path)")
            }
            #expect(try await client.mlflow(.get, "registered-models/get?name=owned", key: bob.key).status == .ok)

            let notAdmin = try await client.call(.patch, "/api/models/owned", key: bob.key, json: #"{"owner":"bob"}"#)
            #expect(notAdmin.status == .forbidden)
            let transferred = try await client.call(.patch, "/api/models/owned", key: app.adminKey, json: #"{"owner":"bob"}"#)
            #expect(transferred.status == .ok && transferred.string("owner") == "bob", "\(transferred.text)")
            let accepted = try await client.mlflow(
                .post, "model-versions/create", key: bob.key,
                json: #"{"name":"owned","source":"models:/\#(bobsModel)","model_id":"\#(bobsModel)"}"#)
            #expect(accepted.status == .ok && accepted.modelVersion["version"] as? String == "2")
            // And the previous owner no longer may.
            let (alicesModel, _) = try await client.makeLoggedModel(key: alice.key)
            let formerOwner = try await client.mlflow(
                .post, "model-versions/create", key: alice.key,
                json: #"{"name":"owned","source":"models:/\#(alicesModel)","model_id":"\#(alicesModel)"}"#)
            #expect(formerOwner.status == .forbidden)
        }
    }

    @Test func sourcesOutsideThisServersArtifactsAreRefusedWhateverTheTags() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let key = app.adminKey
            try await client.mlflow(.post, "registered-models/create", key: key, json: #"{"name":"poc"}"#)
            let (_, runId) = try await client.makeRun(key: key)
            let promptTag = #"[{"key":"mlflow.prompt.is_prompt","value":"true"}]"#
            for source in [
                "file:///etc/", "/etc", "http://169.254.169.254/latest/meta-data/", "https://oast.fun/x",
                "mlflow-artifacts://host:9000/models/../../../", "runs:/\(runId)/../../etc", "s3a://bucket/x", "ftp://host/x",
                "mlflow-artifacts:/0/other-run/artifacts/model",
            ] {
                let reply = try await client.mlflow(
                    .post, "model-versions/create", key: key,
                    json: #"{"name":"poc","source":"\#(source)","run_id":"\#(runId)","tags":\#(promptTag)}"#)
                #expect(reply.status == .badRequest && reply.errorCode == "INVALID_PARAMETER_VALUE", "\(source): \(reply.text)")
            }
            let http = try await client.mlflow(
                .post, "model-versions/create", key: key, json: #"{"name":"poc","source":"http://10.0.0.1/x"}"#)
            #expect(http.message?.contains("cannot use the 'http' scheme") == true)
            // Nothing was created by the refusals.
            let model = try await client.mlflow(.get, "registered-models/get?name=poc", key: key)
            #expect(model.registeredModel["latest_versions"] == nil)

            let (experimentId, _) = try await client.makeRun(key: key)
            _ = experimentId
            let inside = try await client.mlflow(
                .post, "model-versions/create", key: key,
                json: #"{"name":"poc","source":"runs:/\#(runId)/model/","run_id":"\#(runId)"}"#)
            #expect(inside.status == .ok, "\(inside.text)")
            let run = try await client.mlflow(.get, "runs/get?run_id=\(runId)", key: key)
            let artifactURI = try #require(
                ((run["run"] as? [String: Any])?["info"] as? [String: Any])?["artifact_uri"] as? String)
            let direct = try await client.mlflow(
                .post, "model-versions/create", key: key,
                json: #"{"name":"poc","source":"\#(artifactURI)/model","run_id":"\#(runId)"}"#)
            #expect(direct.status == .ok, "\(direct.text)")
        }
    }

    @Test func badInputGetsTheReferenceErrors() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let key = app.adminKey
            let slash = try await client.mlflow(.post, "registered-models/create", key: key, json: #"{"name":"a/b"}"#)
            #expect(slash.status == .badRequest && slash.message == "Invalid model name 'a/b'. Names cannot contain '/' or ':'.")
            let trailing = try await client.mlflow(.post, "registered-models/create", key: key, json: #"{"name":"name "}"#)
            #expect(trailing.status == .badRequest)
            let empty = try await client.mlflow(.post, "registered-models/create", key: key, json: #"{}"#)
            #expect(empty.status == .badRequest && empty.message?.contains("'name'") == true)
            try await client.mlflow(.post, "registered-models/create", key: key, json: #"{"name":"m"}"#)
            try await client.makeVersion("m", key: key)
            let abc = try await client.mlflow(.get, "model-versions/get?name=m&version=abc", key: key)
            #expect(abc.status == .badRequest && abc.message == "Parameter 'version' must be an integer")
            let none = try await client.mlflow(.get, "model-versions/get?name=m&version=999", key: key)
            #expect(none.status == .notFound && none.message == "Model Version (name=m, version=999) not found")
            let stage = try await client.mlflow(
                .post, "model-versions/transition-stage", key: key, json: #"{"name":"m","version":"1","stage":"Foo"}"#)
            #expect(
                stage.status == .badRequest
                    && stage.message
                        == "Invalid Model Version stage: Foo. Value must be one of None, Staging, Production, Archived."
            )
            for (alias, message) in [
                ("v1", "Version alias name 'v1' is reserved."), ("Latest", "'latest' alias name (case insensitive) is reserved."),
            ] {
                let reply = try await client.mlflow(
                    .post, "registered-models/alias", key: key, json: #"{"name":"m","alias":"\#(alias)","version":"1"}"#)
                #expect(reply.status == .badRequest && reply.message == message)
            }
            let dangling = try await client.mlflow(
                .post, "registered-models/alias", key: key, json: #"{"name":"m","alias":"champion","version":"7"}"#)
            #expect(dangling.status == .notFound)
            let nul = try await client.mlflow(
                .patch, "model-versions/update", key: key, json: #"{"name":"m","version":"1","description":"a\u0000b"}"#)
            #expect(nul.status == .badRequest && nul.message == "'description' must not contain NUL characters")
            let nope = try await client.mlflow(.get, "registered-models/get?name=nope", key: key)
            #expect(nope.status == .notFound && nope.message == "Registered Model with name=nope not found")
        }
    }
}
