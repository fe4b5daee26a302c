import HTTPTypes
import HokusaiCore
import Hummingbird

/// What the gateway needs to know about browsers: which UI files anyone may fetch, which pages
/// send a browser without credentials to the sign-in page, and where sessions are kept
/// (nil where keys are checked by a separate auth service: a session needs this process's store).
struct BrowserAccess: Sendable {
    var assetPrefixes: [String] = []
    var files: MLflowUIFiles?
    var pagePaths: Set<String> = []
    var sessions: BrowserSessions?

    /// A page that sends a browser without credentials to sign in (`/api/mlflow/` is `/api/mlflow`'s page).
    func isPage(_ path: String) -> Bool {
        pagePaths.contains(path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)
    }

    /// A file of the UI build under one of its folders: open, like the page that loads it.
    func isOpenAsset(_ path: String) -> Bool {
        guard let files else { return false }
        for prefix in assetPrefixes where path.hasPrefix(prefix) {
            return files.contains(path.dropFirst(prefix.count))
        }
        return false
    }
}

/// A page asked for without a usable credential: the browser goes to sign in, and comes back.
enum SignInRedirect {
    static let path = "/signin"

    static func response(next: String, reason: ValidationCode) -> Response {
        var location = path + "?next=" + FormQuery.escape(next)
        if reason == .sessionEnded { location += "&ended=1" }
        return Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}

extension Request {
    /// `CrossSiteRequestRule` for this request: a change must come from one of this server's pages.
    func requireSameOrigin() throws {
        if case .refused(let reason) = CrossSiteRequestRule.check(
            method: method.rawValue, host: head.authority, origin: headers[.origin], referer: headers[.referer])
        {
            throw APIError.crossSiteRequest(reason)
        }
    }
}
