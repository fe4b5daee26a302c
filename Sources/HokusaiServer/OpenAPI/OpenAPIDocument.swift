import HokusaiCore
import Hummingbird

/// The OpenAPI 3.1 document of the HTTP API, served at `GET /openapi.json`. It lists the
/// operations the running process routes (an `auth` process has no MLflow API), each with the
/// access it requires: `security: []` for the open ones, `x-required-scope` for the others.
enum OpenAPIDocument {
    static var operations: [APIOperation] {
        probeOperations + keyOperations + eventOperations + registrationOperations + mlflowOperations
    }

    /// The operations `table` routes: matched as a request would be, so a proxy's `…/**` routes
    /// cover the MLflow operations it forwards.
    static func operations(routedBy table: RouteTable) -> [APIOperation] {
        operations.filter { operation in
            let samplePath = operation.path.split(separator: "/").map { $0.hasPrefix("{") ? "sample" : $0 }.joined(separator: "/")
            return table.allowedMethods(for: samplePath).contains(operation.method)
        }
    }

    static func document(_ operations: [APIOperation]) -> JSONValue {
        var paths: [(String, [(String, JSONValue)])] = []
        for operation in operations {
            let entry = (operation.method.rawValue.lowercased(), operation.document)
            if let index = paths.firstIndex(where: { $0.0 == operation.path }) {
                paths[index].1.append(entry)
            } else {
                paths.append((operation.path, [entry]))
            }
        }
        let schemes: JSONLiteral = [
            "bearer": ["type": "http", "scheme": "bearer", "description": "Authorization: Bearer hk_live_…"],
            "apiKeyHeader": ["type": "apiKey", "in": "header", "name": "X-API-Key"],
        ]
        let schemas = (hokusaiSchemas.map { $0 } + mlflowSchemas.map { $0 }).map { ($0.key, $0.value.value) }
        return .object([
            ("openapi", .string("3.1.0")),
            (
                "info",
                .object([
                    ("title", .string("Hokusai Registry")), ("version", .string(HokusaiVersion.current)),
                    (
                        "description",
                        .string(
                            "Keys, the MLflow REST API and artifact service, and Hokusai model registration. The MLflow "
                                + "operations also answer under /api/2.0/mlflow, /ajax-api/2.0/mlflow, /mlflow/api/2.0/mlflow "
                                + "and /api/mlflow/ajax-api/2.0/mlflow; MLflow paths answer errors as {error_code, message}, "
                                + "all others as {detail, error, message, request_id}.")
                    ),
                ])
            ),
            ("security", .array([.object([("bearer", .array([]))]), .object([("apiKeyHeader", .array([]))])])),
            ("paths", .object(paths.map { ($0.0, .object($0.1)) })),
            ("components", .object([("securitySchemes", schemes.value), ("schemas", .object(schemas))])),
        ])
    }
}

/// `GET /openapi.json`, registered after every other route so the document lists exactly what
/// this process serves. Rendered once, at startup.
enum OpenAPIRoute {
    static let path = "/openapi.json"

    static func register(on routes: inout RouteRegistrar) {
        var table = routes.table
        table.record(.get, path, access: .open)
        let bytes = JSONWriter.bytes(OpenAPIDocument.document(OpenAPIDocument.operations(routedBy: table)))
        routes.open(.get, path) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
