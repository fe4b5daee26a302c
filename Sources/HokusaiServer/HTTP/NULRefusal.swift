import HokusaiCore
import Hummingbird

/// NUL (U+0000) in request text. PostgreSQL can neither store nor compare it in a text column and
/// refuses the whole statement, so a value SQLite would keep became a 500 there (schemathesis found
/// it in a `runs/log-batch` param). Every engine refuses it up front, naming the field, before
/// anything is read or written.
enum NULRefusal {
    /// The rule as the MLflow routes already worded it (`'description' must not contain NUL characters`).
    static func message(field: String) -> String {
        "'\(field)' must not contain NUL characters"
    }

    /// A JSON body holding NUL in any string or key.
    static func check<Bytes: Sequence<UInt8>>(body value: JSONAny, bytes: Bytes) throws {
        guard JSONAny.mayContainNUL(bytes), let path = value.pathOfNUL() else { return }
        throw APIError.invalidParameter(field: path, message: message(field: path))
    }

    /// A query parameter holding NUL. The HTTP parser refuses a raw NUL byte in the request line,
    /// so `%00` is the only way one arrives: queries without it are not decoded here.
    static func check(query: String?) throws {
        if let field = parameterWithNUL(in: query) {
            throw APIError.invalidParameter(field: field, message: message(field: field))
        }
    }

    /// The name of the first query parameter whose name or value holds NUL.
    static func parameterWithNUL(in query: String?) -> String? {
        guard let query, query.utf8.count >= 3, query.contains("%00") else { return nil }
        for (name, value) in FormQuery.items(query) where name.utf8.contains(0) || value.utf8.contains(0) {
            return name.utf8.contains(0) ? name.replacingOccurrences(of: "\u{0}", with: "%00") : name
        }
        return nil
    }

    /// A percent-decoded path parameter (a model name, a token id).
    static func check(pathValue value: String, name: String) throws {
        guard value.utf8.contains(0) else { return }
        throw APIError.invalidParameter(field: name, message: message(field: name))
    }
}

/// Refuses NUL in the query string of every Hokusai route, before authentication: a refusal that
/// says nothing about keys or data. MLflow routes read their queries through `MLflowParameters`,
/// which checks them (and the artifact routes refuse a NUL path as MLflow does, "Invalid path");
/// bodies and path parameters are checked where they are decoded.
struct QueryTextMiddleware: RouterMiddleware {
    typealias Context = HokusaiRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if PathFamily.of(path: request.uri.path) == .hokusai { try NULRefusal.check(query: request.uri.query) }
        return try await next(request, context)
    }
}
