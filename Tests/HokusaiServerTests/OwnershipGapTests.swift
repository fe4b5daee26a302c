import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// Broken object-level authorization found by probing: a user's write naming another user's
/// object must be refused, whichever route names it.
@Suite struct OwnershipGapTests {
    @Test(arguments: TestStoreKind.available)
    func anotherUsersRunCannotBeRegisteredAsOnesOwnTokenModel(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (bob, _) = try await client.createKey(admin: app.adminKey, #"{"name":"b","user_id":"bob"}"#)
            let (alice, _) = try await client.createKey(admin: app.adminKey, #"{"name":"a","user_id":"alice"}"#)
            let (_, bobsRun) = try await client.makeLoggedModel(key: bob)
            let refused = try await client.registerToken(key: alice, runId: bobsRun, name: "stolen")
            #expect(refused.status == .forbidden, "\(refused.text)")
            #expect(refused.text.contains("bob"))
            #expect(try await client.mlflow(.get, "registered-models/get?name=stolen", key: alice).status == .notFound)
            let events = try await client.call(.get, "/api/v1/events", key: app.adminKey)
            #expect((events["events"] as? [Any])?.isEmpty == true)
            // Her own run registers.
            let (_, alicesRun) = try await client.makeLoggedModel(key: alice)
            #expect(try await client.registerToken(key: alice, runId: alicesRun, name: "mine").status == .created)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func aVersionsSourceMustBeARunOrModelTheCallerMayChange(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (bob, _) = try await client.createKey(admin: app.adminKey, #"{"name":"b","user_id":"bob"}"#)
            let (alice, _) = try await client.createKey(admin: app.adminKey, #"{"name":"a","user_id":"alice"}"#)
            let (bobsModel, bobsRun) = try await client.makeLoggedModel(key: bob)
            let bobsExperiment = try #require(
                ((try await client.mlflow(.get, "runs/get?run_id=\(bobsRun)", key: bob))["run"] as? [String: Any])
                    .flatMap { $0["info"] as? [String: Any] }?["experiment_id"] as? String)
            #expect(
                try await client.mlflow(.post, "registered-models/create", key: alice, json: #"{"name":"hers"}"#).status == .ok)
            let sources = [
                #""source":"runs:/\#(bobsRun)/model""#,
                #""source":"runs:/\#(bobsRun)/model","run_id":"\#(bobsRun)""#,
                #""source":"models:/\#(bobsModel)""#,
                #""source":"mlflow-artifacts:/\#(bobsExperiment)/\#(bobsRun)/artifacts/model","run_id":"\#(bobsRun)""#,
            ]
            for source in sources {
                let refused = try await client.mlflow(
                    .post, "model-versions/create", key: alice, json: #"{"name":"hers",\#(source)}"#)
                #expect(refused.status == .forbidden && refused.errorCode == "PERMISSION_DENIED", "\(source): \(refused.text)")
            }
            let versions = try await client.mlflow(.get, "model-versions/search?filter=name%3D%27hers%27", key: alice)
            #expect((versions["model_versions"] as? [Any] ?? []).isEmpty, "\(versions.text)")
            // An admin may register anyone's run.
            let admin = try await client.mlflow(
                .post, "model-versions/create", key: app.adminKey,
                json: #"{"name":"hers","source":"runs:/\#(bobsRun)/model"}"#)
            #expect(admin.status == .ok, "\(admin.text)")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func aRunsUserIsItsKeysUserWhateverTheBodySays(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (bob, _) = try await client.createKey(admin: app.adminKey, #"{"name":"b","user_id":"bob"}"#)
            let created = try await client.mlflow(
                .post, "runs/create", key: bob,
                json: #"{"experiment_id":"0","user_id":"alice","tags":[{"key":"mlflow.user","value":"alice"}]}"#)
            #expect(created.status == .ok, "\(created.text)")
            let run = try #require(created["run"] as? [String: Any])
            #expect((run["info"] as? [String: Any])?["user_id"] as? String == "bob")
            let tags = ((run["data"] as? [String: Any])?["tags"] as? [[String: Any]]) ?? []
            #expect(tags.filter { $0["key"] as? String == "mlflow.user" }.map { $0["value"] as? String } == ["bob"])
            let badType = try await client.mlflow(.post, "runs/create", key: bob, json: #"{"experiment_id":"0","user_id":5}"#)
            #expect(badType.status == .badRequest)
        }
    }

    @Test(arguments: ["+0", "00", "-0", "%2B0", "0x0", "%30%30"])
    func onlyTheCanonicalExperimentIdNamesAnArtifactFolder(spelling: String) async throws {
        try await TestApp.run(.sqlite) { client, app in
            let created = try await client.mlflow(.post, "runs/create", key: app.adminKey, json: #"{"experiment_id":"0"}"#)
            let runId = try #require(
                ((created["run"] as? [String: Any])?["info"] as? [String: Any])?["run_id"] as? String)
            let refused = try await client.putArtifact("\(spelling)/\(runId)/artifacts/x.txt", "x", key: app.adminKey)
            #expect(refused.status == .badRequest, "\(spelling): \(refused.text)")
            #expect(try await client.putArtifact("0/\(runId)/artifacts/x.txt", "x", key: app.adminKey).status == .ok)
        }
    }
}
