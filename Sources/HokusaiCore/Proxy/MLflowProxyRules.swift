/// How a gateway in front of a real MLflow server maps and authorizes requests. Every MLflow and
/// artifact path under every prefix clients use is mapped to the upstream's own path; every
/// request needs a scope, decided here (default-deny: anything not known to be a read is a write).
public enum MLflowProxyRules {
    /// The client-facing prefixes in front of MLflow's own `/api/…` and `/ajax-api/…` paths.
    static let mountPrefixes = ["/api/mlflow", "/mlflow"]

    /// The path the upstream serves for `rawPath` (still percent-encoded, without the query):
    /// the mount prefix dropped, `api` turned into `ajax-api` when asked, the upstream's own prefix
    /// (a server started with a static prefix) put in front. Nil for a path that is not MLflow's.
    public static func upstreamPath(for rawPath: String, useAjaxAPI: Bool, upstreamPrefix: String) -> String? {
        var path = Substring(rawPath)
        for mount in mountPrefixes where path.hasPrefix(mount + "/api/") || path.hasPrefix(mount + "/ajax-api/") {
            path = path.dropFirst(mount.count)
            break
        }
        guard isMLflowPath(path) else { return nil }
        var mapped = String(path)
        if useAjaxAPI, mapped.hasPrefix("/api/") { mapped = "/ajax-api/" + mapped.dropFirst("/api/".count) }
        let prefix = upstreamPrefix.hasSuffix("/") ? String(upstreamPrefix.dropLast()) : upstreamPrefix
        return prefix + mapped
    }

    /// `/api|ajax-api/<version>/[preview/]mlflow[-artifacts]/…`.
    static func isMLflowPath(_ path: Substring) -> Bool {
        var segments = path.split(separator: "/")[...]
        guard let first = segments.popFirst(), first == "api" || first == "ajax-api",
            let version = segments.popFirst(), version.first?.isNumber == true
        else { return false }
        if segments.first == "preview" { segments = segments.dropFirst() }
        return segments.first == "mlflow" || segments.first == "mlflow-artifacts"
    }

    /// Reads are GET and HEAD, and the POSTs that only read (searches, latest versions, the
    /// server-info and artifact listing families). Everything else writes.
    public static func requiredScope(method: String, path: String) -> Scope {
        switch method.uppercased() {
        case "GET", "HEAD": return .read
        case "POST":
            let last = path.split(separator: "/").last.map(String.init) ?? ""
            return readingPosts.contains(last) ? .read : .write
        default: return .write
        }
    }

    static let readingPosts: Set<String> = [
        "search", "get-latest-versions", "search-datasets", "get-history-bulk-interval", "batch-get", "get",
    ]

    /// Request headers never forwarded: hop-by-hop ones, the client's credentials (the upstream
    /// trusts the gateway, not the key) and identity headers a client could forge.
    public static let droppedRequestHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
        "transfer-encoding", "upgrade", "host", "content-length", "authorization", "x-api-key", "cookie",
        "x-hokusai-user-id", "x-hokusai-api-key-id", "x-forwarded-user", "x-forwarded-email", "x-remote-user", "x-user-id",
    ]

    /// Response headers never passed back: hop-by-hop ones (the gateway frames its own response).
    public static let droppedResponseHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "te", "trailer", "trailers", "transfer-encoding", "upgrade",
        "content-length", "set-cookie", "server",
    ]
}
