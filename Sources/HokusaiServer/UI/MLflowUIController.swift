import HokusaiCore
import Hummingbird

/// The MLflow UI at `/` and under every prefix a tracking URI may have (`/api/mlflow/`,
/// `/mlflow/`), so the "View run at http://host/api/mlflow/#/…" link the client prints opens it.
/// The page loads its files (`static-files/…`) and calls the API (`ajax-api/…`, `graphql`)
/// relative to its own address, so each prefix serves the same build and the same API.
struct MLflowUIController {
    static let prefixes = ["", "/api/mlflow", "/mlflow"]
    let files: MLflowUIFiles

    func register(on routes: inout RouteRegistrar) {
        for prefix in Self.prefixes {
            let page = prefix.isEmpty ? "/" : prefix
            routes.page(page, requires: .read) { request, _, _ in
                // Relative addresses need the trailing slash: `/api/mlflow` would load `/static-files/…`.
                guard request.uri.path.hasSuffix("/") else {
                    return Response(status: .permanentRedirect, headers: [.location: request.uri.path + "/"])
                }
                return try await file("index.html", request)
            }
            routes.assets(under: prefix + "/static-files") { request, _, path in try await file(path, request) }
        }
    }

    private func file(_ path: String, _ request: Request) async throws -> Response {
        guard let response = try await files.response(for: path, request: request) else {
            throw APIError.notFound("The MLflow UI build has no file '\(path.prefix(200))'")
        }
        return response
    }
}

/// `users/current`, as MLflow's basic-auth app answers it: the UI shows who is signed in.
struct CurrentUserEndpoint {
    var endpoints: [MLflowEndpoint] {
        [
            MLflowEndpoint(method: .get, path: "users/current", scope: .read) { call in
                .object([
                    (
                        "user",
                        .object([
                            ("id", .string(call.key.userId)), ("username", .string(call.key.userId)),
                            ("is_admin", .bool(call.key.scopes.isAdmin)),
                        ])
                    ),
                    ("is_basic_auth", .bool(false)),
                ])
            }
        ]
    }
}
