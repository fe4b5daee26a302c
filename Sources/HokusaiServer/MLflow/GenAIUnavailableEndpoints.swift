import HokusaiCore
import Hummingbird

/// The GenAI features this server does not offer (the assistant, the AI gateway), answered the way
/// an MLflow server answers when none is configured, so the UI shows its own setup or empty state
/// instead of an error banner: the assistant with no provider and no projects, the gateway proxy
/// with no endpoints (`gateway_proxy_handler` without `MLFLOW_DEPLOYMENTS_TARGET`).
struct GenAIUnavailableEndpoints {
    static var assistantPrefixes: [String] {
        MLflowAPI.prefixes.map { $0.replacingOccurrences(of: "/2.0/mlflow", with: "/3.0/mlflow/assistant") }
    }
    static var gatewayProxyPaths: [String] { MLflowAPI.prefixes.map { $0 + "/gateway-proxy" } }

    /// `GET assistant/config`: MLflow's `ConfigResponse` with nothing configured.
    static let assistantConfig = JSONValue.object([
        ("providers", .object([])), ("projects", .object([])), ("remote_access_allowed", .bool(false)),
    ])
    /// `GET assistant/providers`: MLflow's `ProvidersResponse` with no provider installed.
    static let assistantProviders = JSONValue.object([
        ("providers", .array([])), ("resolved", .null), ("gateway_vendor_options", .object([])),
    ])
    static let gatewayProxy = JSONValue.object([("endpoints", .array([]))])

    func register(on routes: inout RouteRegistrar) {
        for prefix in Self.assistantPrefixes {
            routes.add(.get, prefix + "/config", requires: .read) { _, _, _ in JSONResponse.make(Self.assistantConfig) }
            routes.add(.get, prefix + "/providers", requires: .read) { _, _, _ in
                JSONResponse.make(Self.assistantProviders)
            }
        }
        for path in Self.gatewayProxyPaths {
            for method in [HTTPRequest.Method.get, .post] {
                routes.add(method, path, requires: .read) { _, _, _ in JSONResponse.make(Self.gatewayProxy) }
            }
        }
    }
}
