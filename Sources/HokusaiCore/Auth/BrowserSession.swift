import Crypto

/// The rules of a browser's signed-in session: a browser cannot send a Bearer header, so a key
/// pasted into the sign-in page becomes a random session token in an HttpOnly cookie. The token
/// is not the key and cannot be turned back into it; the store keeps only its SHA-256, and the
/// session is bound to the key's record, so revoking or expiring the key ends the session.
public enum BrowserSession {
    public static let cookieName = "hokusai_session"
    /// `hks_` and 43 base64url characters: 256 random bits. Not key-like text (`hk_live_…`), so the
    /// key scanners never mistake one for the other.
    public static let tokenPrefix = "hks_"
    public static let defaultLifetimeSeconds: Int64 = 12 * 3600

    /// A new token from the system's secure generator.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for _ in 0..<4 {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return tokenPrefix + Base64URL.encode(bytes)
    }

    /// What the store keeps and looks sessions up by.
    public static func hash(_ token: String) -> String {
        Hex.lowercase(SHA256.hash(data: Array(token.utf8)))
    }

    /// Whether `token` has the shape of one of ours (checked before any lookup).
    public static func isWellFormed(_ token: Substring) -> Bool {
        guard token.hasPrefix(tokenPrefix) else { return false }
        let body = token.utf8.dropFirst(tokenPrefix.utf8.count)
        return body.count == 43 && body.allSatisfy(Base64URL.isAlphabet)
    }

    /// The session token in a `Cookie` header, if any. Other cookies are ignored.
    public static func token(inCookieHeader header: String?) -> Substring? {
        guard let header else { return nil }
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop(while: { $0 == " " })
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            if trimmed[..<equals] == cookieName {
                let value = trimmed[trimmed.index(after: equals)...]
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    /// The `Set-Cookie` value that starts a session. `Secure` when the page was served over https
    /// (a browser drops Secure cookies on plain http, so it cannot be set unconditionally).
    public static func setCookie(token: String, maxAgeSeconds: Int64, secure: Bool) -> String {
        "\(cookieName)=\(token); Path=/; Max-Age=\(maxAgeSeconds); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// The `Set-Cookie` value that ends one.
    public static func clearCookie(secure: Bool) -> String {
        "\(cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// Where to go after signing in: only a path on this server (`/api/mlflow/`, `/console`), never
    /// another site (`//evil.example`, `https://…`, `/\evil`), so the sign-in page is no open redirect.
    public static func safeNextPath(_ raw: String?) -> String {
        guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//"), raw.count <= 2_048,
            !raw.contains("\\"), raw.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f })
        else { return "/" }
        return raw
    }
}

/// The cross-site request forgery rule for requests authenticated by the session cookie. The
/// cookie is `SameSite=Strict`, so a browser does not send it from another site's page; on top of
/// that, a state-changing request must say where it comes from (`Origin`, or `Referer` from
/// browsers that omit it) and that must be this server. A request with neither is refused:
/// browsers send `Origin` on every cross-origin request and on same-origin POSTs, so only a
/// non-browser client (which has no business using the cookie) sends neither.
public enum CrossSiteRequestRule {
    public enum Verdict: Equatable, Sendable {
        case allowed
        case refused(String)
    }

    public static func isStateChanging(method: String) -> Bool {
        !["GET", "HEAD", "OPTIONS"].contains(method)
    }

    /// `host` is the request's `Host` header; `origin` and `referer` as sent.
    public static func check(method: String, host: String?, origin: String?, referer: String?) -> Verdict {
        guard isStateChanging(method: method) else { return .allowed }
        guard let host, !host.isEmpty else { return .refused("the request has no Host header") }
        if let origin, origin != "null" {
            return authority(ofURL: origin) == host.lowercased()
                ? .allowed : .refused("its Origin (\(origin.prefix(200))) is not this server (\(host.prefix(200)))")
        }
        if let referer {
            return authority(ofURL: referer) == host.lowercased()
                ? .allowed : .refused("its Referer is not a page of this server (\(host.prefix(200)))")
        }
        return .refused("it names no Origin or Referer, so it cannot be told apart from a cross-site request")
    }

    /// `host[:port]` of an `http(s)://host[:port]/…` URL, lowercased.
    static func authority(ofURL url: String) -> String? {
        let lowered = url.lowercased()
        let rest: Substring
        if lowered.hasPrefix("http://") {
            rest = lowered.dropFirst(7)
        } else if lowered.hasPrefix("https://") {
            rest = lowered.dropFirst(8)
        } else {
            return nil
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return authority.isEmpty || authority.contains("@") ? nil : String(authority)
    }
}

enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Unpadded.
    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((value >> UInt32(shift)) & 63)]) }
            index += 3
        }
        let left = bytes.count - index
        if left == 1 {
            let value = UInt32(bytes[index]) << 16
            out.append(alphabet[Int((value >> 18) & 63)])
            out.append(alphabet[Int((value >> 12) & 63)])
        } else if left == 2 {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            for shift in [18, 12, 6] { out.append(alphabet[Int((value >> UInt32(shift)) & 63)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isAlphabet(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2d
            || byte == 0x5f
    }
}
