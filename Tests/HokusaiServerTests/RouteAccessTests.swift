import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import HokusaiServer

/// Every route the application registers declares its access (the registrar has no other way to
/// add one), and every route that is not open refuses a missing, malformed or revoked key, and,
/// when it needs more than `read`, a read-only key: whatever its handler does.
@Suite struct RouteAccessTests {
    /// The application's route table, as `buildApplication` registers it.
    static func routeTable() async throws -> RouteTable {
        let captured = Mutex<RouteTable?>(nil)
        try await TestApp.run(.sqlite, inspectRoutes: { table in captured.withLock { $0 = table } }) { _, _ in }
        return try #require(captured.withLock { $0 })
    }

    /// A concrete path for a pattern: parameters filled, a `**` tail given an artifact-like path.
    static func samplePath(_ pattern: String) -> String {
        pattern.split(separator: "/").map { segment -> String in
            if segment == "**" { return "0/run/artifacts/file.txt" }
            return segment.hasPrefix(":") ? "sample" : String(segment)
        }.joined(separator: "/").prefixedWithSlash
    }

    @Test func onlyTheProbesValidationAndTheAPIDocumentAreOpen() async throws {
        let table = try await Self.routeTable()
        #expect(table.entries.count > 100)
        #expect(
            table.openPaths == [
                "/health", "/api/health", "/api/health/mlflow", "/api/health/mlflow/detailed", "/ready", "/live", "/version",
                "/metrics", "/api/v1/keys/validate", "/openapi.json", "/signin", "/signout",
            ])
    }

    @Test func everyRouteThatNeedsAKeyRefusesMissingMalformedRevokedAndTooWeakKeys() async throws {
        let table = try await Self.routeTable()
        try await TestApp.run(.sqlite, configure: { $0.failedAttemptLimit = 1_000_000 }) { client, app in
            let (revoked, revokedId) = try await client.createKey(admin: app.adminKey, #"{"name":"r","user_id":"x"}"#)
            _ = try await client.call(.delete, "/api/v1/keys/\(revokedId)", key: app.adminKey)
            let (reader, _) = try await client.createKey(
                admin: app.adminKey, #"{"name":"reader","user_id":"x","scopes":["read"],"rate_limit_per_hour":100000}"#)
            let malformed = "hk_live_" + String(repeating: "A", count: 32)
            for entry in table.entries {
                let path = Self.samplePath(entry.pattern)
                let name = "\(entry.method) \(entry.pattern)"
                guard case .key(let scope) = entry.access else {
                    // Answered by the route itself: `validate` answers a missing key with its own
                    // 401 and `is_valid: false`, the gateway never does.
                    let reply = try await client.call(entry.method, path)
                    #expect(reply.status != .unauthorized || reply["is_valid"] as? Bool == false, "\(name) is open")
                    continue
                }
                for (label, key) in [("no key", nil), ("malformed", malformed), ("revoked", revoked)] as [(String, String?)] {
                    let reply = try await client.call(entry.method, path, key: key)
                    if entry.forBrowsers {
                        // A page sends the browser to sign in instead of answering 401.
                        #expect(reply.status == .seeOther, "\(name) with \(label): \(reply.status)")
                        #expect(reply.header("Location")?.hasPrefix("/signin?next=") == true, "\(name) with \(label)")
                        continue
                    }
                    #expect(reply.status == .unauthorized, "\(name) with \(label): \(reply.status)")
                }
                if scope != .read {
                    let reply = try await client.call(entry.method, path, key: reader, json: "{}")
                    #expect(reply.status == .forbidden, "\(name) with a read-only key: \(reply.status) \(reply.text)")
                }
            }
        }
    }
}

extension String {
    fileprivate var prefixedWithSlash: String { hasPrefix("/") ? self : "/" + self }
}

/// The registrar checks a route's declared scope before its handler runs, so a handler that
/// checks nothing itself is still closed to keys without the scope.
@Suite struct RouteRegistrarTests {
    struct ReadOnlyKey: RouterMiddleware {
        typealias Context = HokusaiRequestContext
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
            -> Response
        {
            var context = context
            context.authenticatedKey = KeyRecord(
                id: "key_r", keyHash: "", keyHead: "hk_live_ab", keyTail: "cdef", name: "r", userId: "u", email: nil,
                serviceId: "platform", environment: .production, scopes: ScopeSet([.read]), rateLimitPerHour: 10,
                billingPlan: "free", createdAt: 0, expiresAt: nil)
            return try await next(request, context)
        }
    }

    @Test func aHandlerThatChecksNothingIsStillGuardedByItsDeclaration() async throws {
        var routes = RouteRegistrar()
        routes.add(.post, "/write", requires: .write) { _, _, _ in Response(status: .ok) }
        routes.add(.get, "/read", requires: .read) { _, _, key in Response(status: key.id == "key_r" ? .ok : .conflict) }
        let router = Router(context: HokusaiRequestContext.self)
        router.add(middleware: ReadOnlyKey())
        routes.install(on: router)
        try await Application(router: router).test(.router) { client in
            let write = try await client.execute(uri: "/write", method: .post) { $0.status }
            #expect(write == .forbidden)
            let read = try await client.execute(uri: "/read", method: .get) { $0.status }
            #expect(read == .ok, "the handler is handed the authenticated key")
        }
    }
}
