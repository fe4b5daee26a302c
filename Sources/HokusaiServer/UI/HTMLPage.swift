import Foundation
import HokusaiCore
import Hummingbird
import Mustache

/// Server-rendered pages (sign-in, the console): Mustache templates compiled into the binary, so a
/// deployment stays one file. Values are HTML-escaped by `{{…}}`; nothing is ever rendered with
/// `{{{…}}}` but the page body itself. Each page may run only the inline script it carries, by
/// nonce (`Content-Security-Policy`), and cannot be framed.
enum HTMLPage {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in PageTemplates.all {
            do {
                library.register(try MustacheTemplate(string: text), named: name)
            } catch {
                preconditionFailure("template \(name) does not parse: \(error)")
            }
        }
        return library
    }()

    /// `template` rendered inside the common layout.
    static func response(
        status: HTTPResponse.Status = .ok, title: String, template: String, context: [String: Any],
        headers extra: HTTPFields = [:]
    ) -> Response {
        let nonce = String(BrowserSession.newToken().dropFirst(BrowserSession.tokenPrefix.count).prefix(22))
        var pageContext = context
        pageContext["nonce"] = nonce
        let body = library.render(pageContext, withTemplate: template) ?? ""
        let page =
            library.render(["title": title, "body": body, "nonce": nonce], withTemplate: "layout") ?? body
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .init("Content-Security-Policy")!:
                "default-src 'self'; script-src 'nonce-\(nonce)'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
            .init("X-Frame-Options")!: "DENY", .init("X-Content-Type-Options")!: "nosniff",
            .init("Referrer-Policy")!: "same-origin",
        ]
        for field in extra { headers.append(field) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
}

extension HTMLPage {
    /// A time as the pages show it: ISO 8601 in UTC.
    static func utc(millis: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(millis) / 1_000))
    }
}

/// The templates. Plain HTML that reads without JavaScript; labels on every control; colours
/// above WCAG AA contrast (#1f2933 on white, white on #1d4ed8).
enum PageTemplates {
    static let all: [(String, String)] = [("layout", layout), ("signin", signIn), ("console-keys", consoleKeys)]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Hokusai Registry</title>
        <style>
        body { font: 16px/1.5 system-ui, sans-serif; color: #1f2933; background: #fff; margin: 0; }
        header { background: #0f172a; color: #fff; padding: 0.75rem 1.5rem; }
        header a { color: #fff; margin-right: 1.25rem; }
        main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
        label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
        input[type=password], input[type=text] { font: inherit; padding: 0.5rem; width: 100%; max-width: 32rem; border: 1px solid #52606d; border-radius: 4px; }
        button { font: inherit; background: #1d4ed8; color: #fff; border: 0; border-radius: 4px; padding: 0.5rem 1rem; cursor: pointer; }
        button.secondary { background: #fff; color: #1d4ed8; border: 1px solid #1d4ed8; }
        :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
        .notice { border-left: 4px solid #1d4ed8; background: #eff6ff; padding: 0.5rem 1rem; }
        .problem { border-left: 4px solid #b91c1c; background: #fef2f2; padding: 0.5rem 1rem; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 0.4rem; border-bottom: 1px solid #cbd2d9; }
        </style>
        </head>
        <body>
        <header><nav aria-label="Hokusai Registry"><a href="/">MLflow UI</a><a href="/console">Console</a><a href="/signin">Session</a></nav></header>
        <main id="main">
        {{{body}}}
        </main>
        </body>
        </html>
        """

    static let signIn = """
        <h1>Sign in</h1>
        {{#problem}}<p class="problem" role="alert">{{problem}}</p>{{/problem}}
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#signedIn}}
        <p>Signed in as <strong>{{user}}</strong> with key <code>{{maskedKey}}</code> (scopes: {{scopes}}), until {{until}}.</p>
        <p><a href="/">Open the MLflow UI</a> · <a href="/console">Open the console</a></p>
        <form method="post" action="/signout"><button class="secondary" type="submit">Sign out</button></form>
        {{/signedIn}}
        {{^signedIn}}
        {{#available}}
        <form method="post" action="/signin">
        <label for="key">API key</label>
        <input type="password" id="key" name="key" required autocomplete="off" spellcheck="false" autofocus aria-describedby="key-help">
        <p id="key-help">Paste your Hokusai API key (<code>hk_live_…</code>). The browser keeps only a session cookie, for {{hours}} hours; revoking the key ends the session.</p>
        <input type="hidden" id="next" name="next" value="{{next}}">
        <button type="submit">Sign in</button>
        </form>
        <script nonce="{{nonce}}">
        // The part of the address after # (the MLflow UI's page) never reaches the server: carry it along.
        var next = document.getElementById('next');
        if (location.hash && next.value.indexOf('#') < 0) { next.value += location.hash; }
        </script>
        {{/available}}
        {{/signedIn}}
        <p>Scripts and the MLflow client keep using the key itself: <code>Authorization: Bearer &lt;key&gt;</code>, or HTTP Basic with the key as password.</p>
        """
}
