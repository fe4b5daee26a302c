import HokusaiCore
import Hummingbird

/// Who may call a route, declared where the route is registered: there is no other way to
/// register one, so no route can be added without saying.
enum RouteAccess: Sendable, Equatable {
    /// No key: the probes, and `validate`, which checks the key it is given itself. Matched by
    /// exact path only (`/health/anything` needs a key).
    case open
    /// A key granting at least this scope, checked before the handler runs. Handlers that need
    /// more for some requests (another user's object, a write through the proxy) check that too.
    case key(Scope)
    /// A file of the compiled web UI (`MLflowUIFiles`): public code that the sign-in page itself
    /// needs, served to anyone, and only if the build's own list holds it.
    case asset
}

/// Every route the application serves, in one typed table. The router is built from it, and it
/// answers what the router cannot: which methods a path does allow (for 405 + `Allow`), and
/// which paths are open (for the gateway).
public struct RouteTable: Sendable {
    struct Entry: Sendable {
        let method: HTTPRequest.Method
        let pattern: String
        let segments: [Substring]
        let access: RouteAccess
        /// A page or file for browsers (the UI, sign-in), not an API operation: not in the OpenAPI
        /// document, and a page asked for without credentials is redirected to the sign-in page.
        var forBrowsers = false
    }

    private(set) var entries: [Entry] = []

    mutating func record(_ method: HTTPRequest.Method, _ path: String, access: RouteAccess, forBrowsers: Bool = false) {
        entries.append(
            Entry(method: method, pattern: path, segments: Self.segments(path), access: access, forBrowsers: forBrowsers))
    }

    /// Pages that need a key: asked for without one, a browser is sent to sign in.
    var pagePaths: Set<String> {
        Set(entries.filter { $0.forBrowsers && $0.access != .open && $0.access != .asset }.map(\.pattern))
    }

    /// The folders of UI files (`/static-files/`), each ending in `/`.
    var assetPrefixes: [String] {
        Array(Set(entries.filter { $0.access == .asset }.map { String($0.pattern.dropLast(2)) })).sorted()
    }

    /// The paths reachable without a key, exactly as registered.
    var openPaths: Set<String> {
        Set(entries.filter { $0.access == .open }.map(\.pattern))
    }

    /// Methods registered for a pattern matching `path`, in registration order.
    func allowedMethods(for path: String) -> [HTTPRequest.Method] {
        let requested = Self.segments(path)
        var methods: [HTTPRequest.Method] = []
        for entry in entries where Self.matches(pattern: entry.segments, path: requested) {
            if !methods.contains(entry.method) { methods.append(entry.method) }
        }
        return methods
    }

    /// The registered pattern `method path` matches (`/api/v1/keys/:id`), for metric labels of
    /// requests refused before routing.
    func pattern(for method: HTTPRequest.Method, path: String) -> String? {
        let requested = Self.segments(path)
        guard let entry = entries.first(where: { $0.method == method && Self.matches(pattern: $0.segments, path: requested) })
        else { return nil }
        // Written as Hummingbird writes matched routes: `:name` segments as `{name}`.
        return "/" + entry.segments.map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }

    static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    static func matches(pattern: [Substring], path: [Substring]) -> Bool {
        // A trailing `**` (the artifact routes) takes one or more segments.
        if pattern.last == "**" {
            guard path.count >= pattern.count else { return false }
            return matches(pattern: Array(pattern.dropLast()), path: Array(path.prefix(pattern.count - 1)))
        }
        guard pattern.count == path.count else { return false }
        return zip(pattern, path).allSatisfy { expected, actual in
            expected.hasPrefix(":") || expected.hasPrefix("{") || expected == actual
        }
    }
}

/// Collects every route first, so the middleware (which needs the finished table) is installed
/// on the router before any route: Hummingbird applies router middleware only to routes added after it.
///
/// A route is added with its access: `open(…)` for the few that need no key, `add(…, requires:)`
/// for every other, whose handler is handed the authenticated key (never optional) after the
/// scope has been checked, so a handler cannot forget the check.
struct RouteRegistrar {
    typealias OpenHandler = @Sendable (Request, HokusaiRequestContext) async throws -> Response
    typealias KeyedHandler = @Sendable (Request, HokusaiRequestContext, KeyRecord) async throws -> Response

    private var routes: [(HTTPRequest.Method, String, OpenHandler)] = []
    private(set) var table = RouteTable()

    /// A route anyone may call, matched by its exact path.
    mutating func open(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping OpenHandler) {
        precondition(!path.contains(":") && !path.contains("*"), "open routes are matched exactly: \(path)")
        table.record(method, path, access: .open)
        routes.append((method, path, handler))
    }

    /// Files of the UI under `folder` (`/api/mlflow/static-files`), open to anyone but only for
    /// paths `isServed` accepts (the build's own list): `handler` gets the path below the folder.
    mutating func assets(
        under folder: String, _ handler: @escaping @Sendable (Request, HokusaiRequestContext, String) async throws -> Response
    ) {
        let pattern = folder + "/**"
        let prefixLength = folder.count + 1
        for method in [HTTPRequest.Method.get, .head] {
            table.record(method, pattern, access: .asset, forBrowsers: true)
            routes.append(
                (
                    method, pattern,
                    { request, context in
                        try await handler(request, context, String(request.uri.path.dropFirst(prefixLength)))
                    }
                ))
        }
    }

    /// A page for browsers that needs a key (`scope`): asked for without one, the gateway sends
    /// the browser to the sign-in page instead of answering 401.
    mutating func page(_ path: String, requires scope: Scope, _ handler: @escaping KeyedHandler) {
        precondition(!path.contains(":") && !path.contains("*"), "pages are matched exactly: \(path)")
        addKeyed(.get, path, requires: scope, refusalDetail: nil, forBrowsers: true, handler)
    }

    /// A form or page for browsers that anyone may call (the sign-in page), matched exactly.
    mutating func openPage(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping OpenHandler) {
        precondition(!path.contains(":") && !path.contains("*"), "open routes are matched exactly: \(path)")
        table.record(method, path, access: .open, forBrowsers: true)
        routes.append((method, path, handler))
    }

    /// A route for keys granting `scope`; `refusalDetail` replaces a 403's `detail` where clients
    /// of the reference system match on its text.
    mutating func add(
        _ method: HTTPRequest.Method, _ path: String, requires scope: Scope, refusalDetail: String? = nil,
        _ handler: @escaping KeyedHandler
    ) {
        addKeyed(method, path, requires: scope, refusalDetail: refusalDetail, forBrowsers: false, handler)
    }

    private mutating func addKeyed(
        _ method: HTTPRequest.Method, _ path: String, requires scope: Scope, refusalDetail: String?, forBrowsers: Bool,
        _ handler: @escaping KeyedHandler
    ) {
        table.record(method, path, access: .key(scope), forBrowsers: forBrowsers)
        routes.append(
            (
                method, path,
                { request, context in
                    let key: KeyRecord
                    do {
                        key = try context.principal(requiring: scope)
                    } catch let error as APIError where error.status == .forbidden && refusalDetail != nil {
                        throw error.replacingDetail(with: refusalDetail)
                    }
                    return try await handler(request, context, key)
                }
            ))
    }

    func install(on router: Router<HokusaiRequestContext>) {
        for (method, path, handler) in routes {
            router.on(RouterPath(path), method: method, use: handler)
        }
    }
}

extension APIError {
    func replacingDetail(with detail: String?) -> APIError {
        APIError(
            status: status, code: code, message: message, detail: detail, mlflowCode: mlflowCode, extraFields: extraFields,
            headers: headers)
    }
}
