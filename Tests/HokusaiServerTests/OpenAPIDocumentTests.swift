import Foundation
import HokusaiCore
import Testing

@testable import HokusaiServer

/// `/openapi.json` describes exactly the routes the router serves, with the access each
/// declares: a route added without documenting it, or documented and then removed, fails here.
@Suite struct OpenAPIDocumentTests {
    struct Operation: Hashable, CustomStringConvertible {
        let method: String
        let path: String
        /// `open`, or the scope a key needs.
        let access: String
        var description: String { "\(method) \(path) (\(access))" }
    }

    /// A registered route as the document writes it: MLflow paths under the canonical
    /// `/api/mlflow/api` prefix, `:name` as `{name}`, an artifact `**` tail as `{artifact_path}`.
    static func documented(_ entry: RouteTable.Entry) -> Operation {
        var path = entry.pattern
        for version in ["/2.0/", "/3.0/"] {
            if let range = path.range(of: version), path[range.upperBound...].hasPrefix("mlflow") {
                path = "/api/mlflow/api" + path[range.lowerBound...]
            }
        }
        path = path.split(separator: "/").map { segment in
            segment == "**" ? "{artifact_path}" : segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
        return Operation(method: entry.method.rawValue, path: "/" + path, access: Self.access(entry.access))
    }

    static func access(_ access: RouteAccess) -> String {
        switch access {
        case .open: "open"
        case .key(let scope): scope.rawValue
        case .asset: "asset"
        }
    }

    @Test func everyRouteIsDocumentedWithItsAccessAndNothingElseIs() async throws {
        let table = try await RouteAccessTests.routeTable()
        // Pages and files for browsers (the UI, sign-in) are not API operations.
        let routed = Set(table.entries.filter { !$0.forBrowsers }.map(Self.documented))
        let documented = OpenAPIDocument.operations.map {
            Operation(method: $0.method.rawValue, path: $0.path, access: Self.access($0.access))
        }
        #expect(documented.count == Set(documented).count, "an operation is documented twice")
        let undocumented = routed.subtracting(documented).map(\.description).sorted()
        let unrouted = Set(documented).subtracting(routed).map(\.description).sorted()
        #expect(undocumented.isEmpty, "routes missing from the document: \(undocumented)")
        #expect(unrouted.isEmpty, "documented but not routed: \(unrouted)")
        #expect(routed.count > 90)
    }

    /// The served document: open, OpenAPI 3.1, every operation in it, each answering errors,
    /// the open ones saying so with `security: []`, every `$ref` naming a schema it defines.
    @Test func theServedDocumentIsOpenAndSelfContained() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let reply = try await client.call(.get, "/openapi.json")
            #expect(reply.status == .ok)
            #expect(reply.header("Content-Type") == "application/json")
            #expect(reply.string("openapi") == "3.1.0")
            let paths = try #require(reply["paths"] as? [String: [String: [String: Any]]])
            let operations = paths.flatMap { path, methods in methods.map { (path, $0.key, $0.value) } }
            #expect(operations.count == OpenAPIDocument.operations.count)
            for (path, method, operation) in operations {
                let responses = try #require(operation["responses"] as? [String: Any], "\(method) \(path)")
                #expect(responses["default"] != nil, "\(method) \(path) documents no default answer")
                let security = operation["security"] as? [Any]
                let scope = operation["x-required-scope"] as? String
                #expect((security?.isEmpty == true) != (scope != nil), "\(method) \(path) is neither open nor scoped")
            }
            let open = Set(operations.filter { ($0.2["security"] as? [Any])?.isEmpty == true }.map(\.0))
            let table = try await RouteAccessTests.routeTable()
            #expect(open == Set(table.entries.filter { $0.access == .open && !$0.forBrowsers }.map(\.pattern)))

            let components = try #require((reply["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let refs = Self.references(in: reply.object)
            #expect(!refs.isEmpty)
            for ref in refs {
                let name = String(ref.dropFirst("#/components/schemas/".count))
                #expect(ref.hasPrefix("#/components/schemas/") && components[name] != nil, "\(ref) names no schema")
            }
        }
    }

    @Test func anAuthProcessDocumentsOnlyWhatItServes() async throws {
        try await TestApp.run(.sqlite, configure: { $0.role = .auth }) { client, _ in
            let reply = try await client.call(.get, "/openapi.json")
            let paths = try #require(reply["paths"] as? [String: Any])
            #expect(paths["/api/v1/keys"] != nil)
            #expect(paths["/health"] != nil)
            #expect(!paths.keys.contains { $0.hasPrefix("/api/mlflow") || $0.hasPrefix("/api/models") })
        }
    }

    static func references(in value: Any) -> Set<String> {
        if let object = value as? [String: Any] {
            var found = Set(object["$ref"].flatMap { $0 as? String }.map { [$0] } ?? [])
            for child in object.values { found.formUnion(references(in: child)) }
            return found
        }
        if let array = value as? [Any] { return array.reduce(into: Set()) { $0.formUnion(references(in: $1)) } }
        return []
    }
}
