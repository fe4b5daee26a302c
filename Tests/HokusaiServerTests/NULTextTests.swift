import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// NUL in request text: PostgreSQL refuses it in a text column, so it was a 500 there (found by
/// schemathesis in a `runs/log-batch` param). Every engine answers 400 naming the field, and
/// nothing of the request is written.
@Suite struct NULTextTests {
    @Test(arguments: TestStoreKind.available)
    func aBatchWithNULInAParamIsRefusedWholeNamingTheField(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (_, runId) = try await client.makeRun(key: app.adminKey)
            let batch = #"""
                {"run_id":"\#(runId)","metrics":[{"key":"m","value":1,"timestamp":1,"step":0}],
                 "params":[{"key":"fine","value":"1"},{"key":"p","value":"a\u0000b"}]}
                """#
            let refused = try await client.mlflow(.post, "runs/log-batch", key: app.adminKey, json: batch)
            #expect(refused.status == .badRequest, "\(refused.text)")
            #expect(refused.errorCode == "INVALID_PARAMETER_VALUE")
            #expect(refused.message == "'params[1].value' must not contain NUL characters")
            let run = try await client.mlflow(.get, "runs/get?run_id=\(runId)", key: app.adminKey)
            let data = (run["run"] as? [String: Any])?["data"] as? [String: Any] ?? [:]
            #expect(data["params"] == nil && data["metrics"] == nil, "\(run.text)")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func nulInAQueryParameterIsRefusedOnMLflowAndHokusaiRoutes(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let model = try await client.mlflow(.get, "registered-models/get?name=a%00b", key: app.adminKey)
            #expect(model.status == .badRequest && model.errorCode == "INVALID_PARAMETER_VALUE", "\(model.text)")
            #expect(model.message == "'name' must not contain NUL characters")
            for path in ["/api/v1/keys?service_id=%00", "/api/models?name=x%00", "/api/v1/audit?user_id=%00"] {
                let refused = try await client.call(.get, path, key: app.adminKey)
                #expect(refused.status == .badRequest, "\(path): \(refused.text)")
                #expect(refused.string("code") ?? refused.string("error") == "INVALID_PARAMETER", "\(path): \(refused.text)")
                #expect(refused.text.contains("must not contain NUL characters"), "\(path): \(refused.text)")
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func nulInAHokusaiBodyOrPathIsRefusedNamingTheField(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let key = try await client.call(
                .post, "/api/v1/keys", key: app.adminKey, json: #"{"name":"n\u0000","user_id":"u"}"#)
            #expect(key.status == .badRequest, "\(key.text)")
            #expect(key.string("field") == "name", "\(key.text)")
            let keys = try await client.call(.get, "/api/v1/keys?user_id=u", key: app.adminKey)
            #expect((keys["keys"] as? [Any])?.isEmpty ?? true, "\(keys.text)")
            let version = try await client.call(.get, "/api/models/a%00b/1", key: app.adminKey)
            #expect(version.status == .badRequest && version.string("field") == "name", "\(version.text)")
        }
    }
}
