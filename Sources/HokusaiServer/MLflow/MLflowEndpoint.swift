import HokusaiCore
import HokusaiStore
import Hummingbird

/// What an MLflow handler gets: the parsed parameters and who is calling.
struct MLflowCall: Sendable {
    let parameters: MLflowParameters
    let key: KeyRecord
    /// Values of the path's `:name` segments (`logged-models/:model_id`).
    var pathParameters: [String: String] = [:]

    func path(_ name: String) throws(MLflowError) -> String {
        guard let value = pathParameters[name], !value.isEmpty else { throw .missing(name) }
        return value
    }

    var actor: TrackingActor { TrackingActor(userId: key.userId, isAdmin: key.scopes.isAdmin) }
}

/// One MLflow REST method: its path below `…/2.0/mlflow/`, the scope it needs, and its handler.
/// Every endpoint states its scope; there is no default.
struct MLflowEndpoint: Sendable {
    let method: HTTPRequest.Method
    let path: String
    let scope: Scope
    let handler: @Sendable (MLflowCall) async throws -> JSONValue

    var pathParameterNames: [String] {
        path.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) }
    }
}

/// Mounts every MLflow endpoint under every prefix clients of the reference system used, so no
/// base URL is a 404 trap. One implementation; the prefixes only differ in spelling.
enum MLflowAPI {
    static let prefixes = [
        "/api/mlflow/api/2.0/mlflow", "/api/mlflow/ajax-api/2.0/mlflow", "/api/2.0/mlflow", "/ajax-api/2.0/mlflow",
        "/mlflow/api/2.0/mlflow", "/mlflow/ajax-api/2.0/mlflow",
    ]

    static func register(_ endpoints: [MLflowEndpoint], on routes: inout RouteRegistrar) {
        for prefix in prefixes {
            for endpoint in endpoints {
                // Split once here, not on every request.
                let pathParameterNames = endpoint.pathParameterNames
                routes.add(endpoint.method, "\(prefix)/\(endpoint.path)", requires: endpoint.scope) { request, context, key in
                    do {
                        let parameters = try await MLflowParameters.parse(request, context: context)
                        var call = MLflowCall(parameters: parameters, key: key)
                        for name in pathParameterNames {
                            call.pathParameters[name] = context.parameters.get(name)
                        }
                        let body = try await endpoint.handler(call)
                        return JSONResponse.make(body)
                    } catch let error as MLflowError {
                        throw APIError(mlflow: error)
                    }
                }
            }
        }
    }
}

extension APIError {
    init(mlflow error: MLflowError) {
        self.init(
            status: .init(code: error.code.httpStatus), code: error.code.rawValue, message: error.message,
            mlflowCode: error.code.rawValue)
    }
}
