import Foundation
import HokusaiCore
import Hummingbird

/// The sign-in page (`/signin`), where a browser trades a pasted key for a session cookie, and
/// `/signout`. Open routes: the page is what a browser without credentials is sent to. The key
/// is read from the form's body only (never a URL), checked exactly as a header key is (format,
/// store, per-address failure limit, hourly limit), and never written back into a page.
struct SignInController {
    let authenticator: KeyAuthenticator
    /// Nil on a gateway whose keys an auth service checks: sessions need this process's store.
    let sessions: BrowserSessions?
    let clientAddressRule: ClientAddressRule

    func register(on routes: inout RouteRegistrar) {
        routes.openPage(.get, SignInRedirect.path) { request, context in try await page(request, context) }
        routes.openPage(.post, SignInRedirect.path) { request, context in try await signIn(request, context) }
        routes.openPage(.post, "/signout") { request, context in try await signOut(request, context) }
    }

    private func page(_ request: Request, _ context: HokusaiRequestContext) async throws -> Response {
        let query = FormQuery.items(request.uri.query)
        let next = BrowserSession.safeNextPath(query.first { $0.name == "next" }?.value)
        var values: [String: Any] = ["next": next, "available": sessions != nil, "hours": hours]
        if sessions == nil {
            values["notice"] =
                "This gateway's keys are checked by a separate auth service, so it keeps no browser sessions. "
                + "Your browser can use HTTP Basic instead: any user name, the key as password."
        } else if query.contains(where: { $0.name == "ended" }) {
            values["notice"] = "Your session has ended (signed out, expired, or its key was revoked). Sign in again."
        } else if query.contains(where: { $0.name == "signed_out" }) {
            values["notice"] = "Signed out."
        }
        if let sessions, let token = BrowserSession.token(inCookieHeader: request.headers[.cookie]),
            BrowserSession.isWellFormed(token),
            let session = try? await sessions.find(token: token, now: Timestamp.nowMillis()),
            case .accepted(let key, _, _) = try await authenticator.authenticate(
                sessionToken: token, sessions: sessions, demand: VerificationDemand(),
                origin: RequestOrigin(clientIP: context.clientIP, requestId: context.requestId))
        {
            values["signedIn"] = true
            values["user"] = key.userId
            values["maskedKey"] = key.maskedKey
            values["scopes"] = key.scopes.names.joined(separator: ", ")
            values["until"] = HTMLPage.utc(millis: session.expiresAt)
        }
        return HTMLPage.response(title: "Sign in", template: "signin", context: values)
    }

    private func signIn(_ request: Request, _ context: HokusaiRequestContext) async throws -> Response {
        // Signing a browser into someone else's account is an attack too (login CSRF).
        try request.requireSameOrigin()
        let form = FormQuery.items(String(buffer: try await RequestBodyReader.collect(request, upTo: 8_192)))
        let next = BrowserSession.safeNextPath(form.first { $0.name == "next" }?.value)
        func again(_ status: HTTPResponse.Status, _ problem: String, headers: HTTPFields = [:]) -> Response {
            HTMLPage.response(
                status: status, title: "Sign in", template: "signin",
                context: ["next": next, "available": sessions != nil, "hours": hours, "problem": problem], headers: headers)
        }
        guard let sessions else {
            return again(.conflict, "This gateway keeps no browser sessions: use HTTP Basic with the key as password.")
        }
        let key = (form.first { $0.name == "key" }?.value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else { return again(.badRequest, "Paste an API key into the field 'API key'.") }
        let outcome = try await authenticator.authenticate(
            .success(PresentedCredential.Found(key: key, placement: .body)), demand: VerificationDemand(),
            origin: RequestOrigin(clientIP: context.clientIP, requestId: context.requestId))
        switch outcome {
        case .rejected(let rejection, _):
            context.notes.authCode = rejection.code
            context.notes.keyId = rejection.keyId
            var headers: HTTPFields = [:]
            if let retry = rejection.retryAfterSeconds { headers[.retryAfter] = String(retry) }
            return again(.init(code: rejection.code.httpStatus), "Not signed in: \(rejection.message).", headers: headers)
        case .accepted(let record, _, _):
            context.notes.authCode = .valid
            context.notes.keyId = record.id
            let token = try await sessions.start(for: record, now: Timestamp.nowMillis())
            return Response(
                status: .seeOther,
                headers: [
                    .location: next, .cacheControl: "no-store",
                    .setCookie: BrowserSession.setCookie(
                        token: token, maxAgeSeconds: sessions.lifetimeSeconds, secure: isHTTPS(request, context)),
                ])
        }
    }

    private func signOut(_ request: Request, _ context: HokusaiRequestContext) async throws -> Response {
        try request.requireSameOrigin()
        if let sessions, let token = BrowserSession.token(inCookieHeader: request.headers[.cookie]) {
            try await sessions.end(token: token)
        }
        return Response(
            status: .seeOther,
            headers: [
                .location: SignInRedirect.path + "?signed_out=1", .cacheControl: "no-store",
                .setCookie: BrowserSession.clearCookie(secure: isHTTPS(request, context)),
            ])
    }

    private var hours: Int64 { (sessions?.lifetimeSeconds ?? BrowserSession.defaultLifetimeSeconds) / 3600 }

    /// Served over https: said by a proxy this server trusts (TLS ends there), since this server
    /// itself speaks plain HTTP.
    private func isHTTPS(_ request: Request, _ context: HokusaiRequestContext) -> Bool {
        guard clientAddressRule.readsForwardedFor else { return false }
        return request.headers[.xForwardedProto]?.lowercased() == "https"
    }
}
