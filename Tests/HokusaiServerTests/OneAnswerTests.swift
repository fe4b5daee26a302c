import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HokusaiServer

/// The same bad body gets the same answer on every route: a repeated key is a 400 naming it, a
/// body past the limit a 413 naming the limit, a wrong type a 400 naming the field.
@Suite struct OneAnswerTests {
    @Test func aRepeatedKeyIsRefusedOnEveryRoute() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let keys = try await client.call(
                .post, "/api/v1/keys", key: app.adminKey, json: #"{"name":"a","name":"b","user_id":"x"}"#)
            #expect(keys.status == .badRequest && keys.message?.contains("Duplicate key 'name'") == true, "\(keys.text)")
            let mlflow = try await client.mlflow(
                .post, "experiments/create", key: app.adminKey, json: #"{"name":"a","name":"b"}"#)
            #expect(mlflow.status == .badRequest && mlflow.message?.contains("Duplicate key 'name'") == true, "\(mlflow.text)")
            let registration = try await client.call(
                .post, "/api/models/register", key: app.adminKey, json: #"{"model_name":"a","model_name":"b"}"#)
            #expect(registration.status == .badRequest, "\(registration.text)")
            #expect(
                try await client.mlflow(.get, "experiments/get-by-name?experiment_name=a", key: app.adminKey).status == .notFound)
        }
    }

    @Test func aBodyPastTheLimitIs413NamingItOnEveryRoute() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let big = #"{"name":""# + String(repeating: "x", count: JSONBody.maximumBytes * 8 + 10) + #""}"#
            let mlflow = try await client.mlflow(.post, "experiments/create", key: app.adminKey, json: big)
            #expect(mlflow.status == .contentTooLarge, "\(mlflow.text.prefix(300))")
            #expect(mlflow.message?.contains("\(JSONBody.maximumBytes * 8) bytes") == true)
            let keys = try await client.call(.post, "/api/v1/keys", key: app.adminKey, json: big)
            #expect(keys.status == .contentTooLarge && keys.message?.contains("\(JSONBody.maximumBytes) bytes") == true)
        }
    }

    @Test func aKeyAPITypeErrorNamesTheField() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let reply = try await client.call(
                .post, "/api/v1/keys", key: app.adminKey, json: #"{"name":"k","rate_limit_per_hour":"lots"}"#)
            #expect(reply.status == .badRequest)
            #expect(reply.message?.contains("rate_limit_per_hour") == true, "\(reply.text)")
        }
    }
}
