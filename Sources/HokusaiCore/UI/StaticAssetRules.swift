/// How a file of a compiled web UI is served: its type, how long a browser may keep it, and
/// whether it is worth compressing. Pure, so each rule is tested without files.
public enum StaticAssetRules {
    public static func contentType(forPath path: String) -> String {
        switch fileExtension(path) {
        case "html", "htm": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json", "map": "application/json"
        case "webmanifest": "application/manifest+json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "gif": "image/gif"
        case "webp": "image/webp"
        case "ico": "image/x-icon"
        case "ttf": "font/ttf"
        case "otf": "font/otf"
        case "woff": "font/woff"
        case "woff2": "font/woff2"
        case "txt": "text/plain; charset=utf-8"
        case "wasm": "application/wasm"
        default: "application/octet-stream"
        }
    }

    /// Text formats shrink 3–5× under gzip; images and fonts are compressed already.
    public static func isCompressible(path: String) -> Bool {
        ["html", "htm", "js", "mjs", "css", "json", "map", "svg", "txt", "webmanifest", "ico", "ttf", "otf"]
            .contains(fileExtension(path))
    }

    /// Files under `static/` carry a hash of their content in their names (`main.c2f5f8d4.js`): a
    /// new build has new names, so a browser may keep them for a year without asking. The page
    /// itself and the unhashed files (favicon, manifest) are revalidated against their ETag.
    public static func cacheControl(forPath path: String) -> String {
        if path == "index.html" { return "no-cache" }
        if path.hasPrefix("static/") && hasContentHash(path) { return "public, max-age=31536000, immutable" }
        return "public, max-age=3600"
    }

    /// Whether `Accept-Encoding` admits gzip (`gzip`, `gzip;q=0.5`, `*`), and not with `q=0`.
    public static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        var star = false
        for part in header.lowercased().split(separator: ",") {
            let pieces = part.split(separator: ";").map { String($0.filter { $0 != " " && $0 != "\t" }) }
            guard let name = pieces.first else { continue }
            let quality = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if name == "gzip" { return quality > 0 }
            if name == "*" { star = quality > 0 }
        }
        return star
    }

    static func fileExtension(_ path: String) -> Substring {
        let name = path.split(separator: "/").last ?? Substring(path)
        guard let dot = name.lastIndex(of: ".") else { return "" }
        return name[name.index(after: dot)...].lowercased()[...]
    }

    /// `name.<8+ hex>.ext` or `name.<8+ hex>.chunk.ext`.
    static func hasContentHash(_ path: String) -> Bool {
        let name = path.split(separator: "/").last ?? Substring(path)
        return name.split(separator: ".").dropFirst().contains { part in
            part.count >= 8 && part.allSatisfy { $0.isHexDigit }
        }
    }
}
