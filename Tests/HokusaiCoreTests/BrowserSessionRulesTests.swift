import Testing

@testable import HokusaiCore

@Suite struct BrowserSessionRulesTests {
    @Test func tokensAreRandomWellFormedAndNotKeyLike() {
        let first = BrowserSession.newToken()
        let second = BrowserSession.newToken()
        #expect(first != second)
        #expect(first.count == 4 + 43)
        #expect(BrowserSession.isWellFormed(Substring(first)))
        #expect(!APIKeyFormat.containsKeyLikeText(first))
        #expect(!BrowserSession.isWellFormed("hks_short"))
        #expect(!BrowserSession.isWellFormed(Substring("hks_" + String(repeating: "=", count: 43))))
        #expect(BrowserSession.hash(first) != first && BrowserSession.hash(first).count == 64)
    }

    @Test func theSessionCookieIsFoundAmongOthers() {
        #expect(BrowserSession.token(inCookieHeader: "a=1; hokusai_session=hks_abc; b=2") == "hks_abc")
        #expect(BrowserSession.token(inCookieHeader: "hokusai_session_x=1; b=2") == nil)
        #expect(BrowserSession.token(inCookieHeader: "hokusai_session=") == nil)
        #expect(BrowserSession.token(inCookieHeader: nil) == nil)
    }

    @Test func theCookieIsHttpOnlyStrictAndSecureOnlyOverHTTPS() {
        let plain = BrowserSession.setCookie(token: "hks_t", maxAgeSeconds: 60, secure: false)
        #expect(plain == "hokusai_session=hks_t; Path=/; Max-Age=60; HttpOnly; SameSite=Strict")
        #expect(BrowserSession.setCookie(token: "hks_t", maxAgeSeconds: 60, secure: true).hasSuffix("; Secure"))
        #expect(BrowserSession.clearCookie(secure: false).contains("Max-Age=0"))
    }

    @Test func afterSigningInOnlyPathsOnThisServerAreFollowed() {
        #expect(BrowserSession.safeNextPath("/api/mlflow/#/experiments/1") == "/api/mlflow/#/experiments/1")
        for hostile in ["//evil.example/", "https://evil.example/", "/\\evil.example", "evil", "/a b", nil] as [String?] {
            #expect(BrowserSession.safeNextPath(hostile) == "/", "\(hostile ?? "nil")")
        }
    }

    @Test func changesWithTheCookieMustComeFromThisServer() {
        let rule = CrossSiteRequestRule.self
        #expect(rule.check(method: "GET", host: "h:1", origin: "https://evil", referer: nil) == .allowed)
        #expect(rule.check(method: "POST", host: "h:1", origin: "http://h:1", referer: nil) == .allowed)
        #expect(rule.check(method: "POST", host: "H:1", origin: "http://h:1", referer: nil) == .allowed)
        #expect(rule.check(method: "PATCH", host: "h:1", origin: nil, referer: "http://h:1/api/mlflow/") == .allowed)
        for (origin, referer) in [
            ("http://evil:1", nil), ("http://h:2", nil), ("null", nil), ("http://user@h:1", nil), (nil, "http://evil/"),
            (nil, nil),
        ] as [(String?, String?)] {
            guard case .refused(let reason) = rule.check(method: "DELETE", host: "h:1", origin: origin, referer: referer) else {
                Issue.record("\(origin ?? "-") \(referer ?? "-") was allowed")
                continue
            }
            #expect(!reason.isEmpty)
        }
    }
}

@Suite struct StaticAssetRulesTests {
    @Test func typesCachingAndCompression() {
        #expect(StaticAssetRules.contentType(forPath: "static/js/main.c2f5f8d4.js") == "text/javascript; charset=utf-8")
        #expect(StaticAssetRules.contentType(forPath: "static/css/main.b0f58ef9.css") == "text/css; charset=utf-8")
        #expect(StaticAssetRules.contentType(forPath: "favicon.ico") == "image/x-icon")
        #expect(StaticAssetRules.contentType(forPath: "static/media/font.woff2") == "font/woff2")
        #expect(StaticAssetRules.contentType(forPath: "LICENSE") == "application/octet-stream")
        #expect(StaticAssetRules.cacheControl(forPath: "index.html") == "no-cache")
        #expect(StaticAssetRules.cacheControl(forPath: "static/js/8116.9014d23e.chunk.js").contains("immutable"))
        #expect(StaticAssetRules.cacheControl(forPath: "favicon.ico") == "public, max-age=3600")
        #expect(StaticAssetRules.isCompressible(path: "static/js/a.js") && !StaticAssetRules.isCompressible(path: "a.png"))
    }

    @Test func gzipIsSentOnlyWhenAccepted() {
        #expect(StaticAssetRules.acceptsGzip("gzip, deflate, br"))
        #expect(StaticAssetRules.acceptsGzip("br;q=1.0, gzip;q=0.5"))
        #expect(StaticAssetRules.acceptsGzip("*"))
        #expect(!StaticAssetRules.acceptsGzip("gzip;q=0"))
        #expect(!StaticAssetRules.acceptsGzip("br"))
        #expect(!StaticAssetRules.acceptsGzip("*, gzip;q=0"))
        #expect(!StaticAssetRules.acceptsGzip(nil))
    }
}
