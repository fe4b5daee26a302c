import Hummingbird

/// Every route the application serves, in one typed table. The router is built from it, and it
/// answers what the router cannot: which methods a path does allow (for 405 + `Allow`).
public struct RouteTable: Sendable {
    struct Entry: Sendable {
        let method: HTTPRequest.Method
        let pattern: String
        let segments: [Substring]
    }

    private(set) var entries: [Entry] = []

    mutating func record(_ method: HTTPRequest.Method, _ path: String) {
        entries.append(Entry(method: method, pattern: path, segments: Self.segments(path)))
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
struct RouteRegistrar {
    typealias Handler = @Sendable (Request, HokusaiRequestContext) async throws -> Response

    private var routes: [(HTTPRequest.Method, String, Handler)] = []
    private(set) var table = RouteTable()

    mutating func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        table.record(method, path)
        routes.append((method, path, handler))
    }

    func install(on router: Router<HokusaiRequestContext>) {
        for (method, path, handler) in routes {
            router.on(RouterPath(path), method: method, use: handler)
        }
    }
}
