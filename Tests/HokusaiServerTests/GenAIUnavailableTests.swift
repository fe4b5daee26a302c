import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The GenAI routes the UI calls on every page answer as an MLflow server with nothing configured,
/// so the UI shows its setup or empty state instead of an error banner.
@Suite struct GenAIUnavailableTests {
    @Test func theAssistantAndTheGatewayProxyAnswerAsUnconfigured() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let reader = try await client.createKey(admin: app.adminKey, #"{"name":"r","user_id":"alice","scopes":["read"]}"#)
            for prefix in ["/ajax-api/3.0/mlflow", "/api/mlflow/ajax-api/3.0/mlflow", "/mlflow/ajax-api/3.0/mlflow"] {
                let config = try await client.call(.get, "\(prefix)/assistant/config", key: reader.key)
                #expect(config.status == .ok, "\(prefix): \(config.text)")
                #expect(config.text == #"{"providers":{},"projects":{},"remote_access_allowed":false}"#)
                let providers = try await client.call(.get, "\(prefix)/assistant/providers", key: reader.key)
                #expect(providers.text == #"{"providers":[],"resolved":null,"gateway_vendor_options":{}}"#)
            }
            let listed = try await client.call(
                .get, "/ajax-api/2.0/mlflow/gateway-proxy?gateway_path=api/2.0/endpoints", key: reader.key)
            #expect(listed.status == .ok && listed.text == #"{"endpoints":[]}"#, "\(listed.text)")
            let posted = try await client.call(
                .post, "/ajax-api/2.0/mlflow/gateway-proxy", key: reader.key, json: #"{"gateway_path":"api/2.0/endpoints"}"#)
            #expect(posted.status == .ok && posted.text == #"{"endpoints":[]}"#, "\(posted.text)")
            // Not a way around the key: without one it is refused like every MLflow route.
            let anonymous = try await client.call(.get, "/ajax-api/3.0/mlflow/assistant/config")
            #expect(anonymous.status == .unauthorized && anonymous.errorCode == "UNAUTHENTICATED", "\(anonymous.text)")
        }
    }
}
