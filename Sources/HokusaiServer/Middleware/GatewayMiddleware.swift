import HTTPTypes
import HokusaiCore
import Hummingbird

/// Authenticates every request except those to routes registered as open (`RouteAccess.open`:
/// the probes and the validation endpoint, which checks the key it is given itself), counts it
/// against the key's hourly limit, and stamps the `X-RateLimit-*` headers on every authenticated
/// response, errors included. Default deny: a path no route declares open needs a key, unknown
/// paths included.
///
/// Open paths are matched exactly, never by prefix: the reference system's prefix match left
/// `/health/…` routes, including a circuit-breaker reset, open to anyone.
struct GatewayMiddleware: RouterMiddleware {
    typealias Context = HokusaiRequestContext

    /// `RouteTable.openPaths`.
    let openPaths: Set<String>
    let authenticator: KeyAuthenticator
    /// Whether keys let through on a recent validation while the auth service is down may write.
    var degradedWrites = true
    /// What browsers reach: UI files open to anyone, pages that send them to sign in, and the
    /// sessions their cookie names.
    var browsers = BrowserAccess()

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if openPaths.contains(path) || browsers.isOpenAsset(path) {
            return try await next(request, context)
        }
        if let rejection = Self.keyInQueryString(request) {
            context.notes.authCode = rejection.code
            throw APIError.unauthenticated(rejection)
        }
        let origin = RequestOrigin(clientIP: context.clientIP, requestId: context.requestId)
        let presented = PresentedCredential.extract(
            authorization: request.headers[.authorization], xAPIKey: request.headers[.xAPIKey])
        let outcome: AuthenticationOutcome
        if case .success(nil) = presented, let sessions = browsers.sessions,
            let token = BrowserSession.token(inCookieHeader: request.headers[.cookie])
        {
            // The cookie is sent by the browser on its own: a state-changing request must come
            // from one of this server's pages, not from another site's.
            try request.requireSameOrigin()
            outcome = try await authenticator.authenticate(
                sessionToken: token, sessions: sessions, demand: VerificationDemand(), origin: origin)
        } else {
            outcome = try await authenticator.authenticate(presented, demand: VerificationDemand(), origin: origin)
        }

        switch outcome {
        case .rejected(let rejection, let rateLimit):
            context.notes.authCode = rejection.code
            context.notes.keyId = rejection.keyId
            if request.method == .get, rejection.code.httpStatus == 401, browsers.isPage(path) {
                return SignInRedirect.response(next: path, reason: rejection.code)
            }
            var error = APIError.unauthenticated(rejection)
            if let rateLimit { error = error.adding(headers: Self.rateLimitHeaders(rateLimit)) }
            throw error
        case .accepted(let key, let decision, let degraded):
            context.notes.authCode = .valid
            context.notes.keyId = key.id
            var context = context
            context.authenticatedKey = key
            context.writesPaused = degraded && !degradedWrites
            context.logger[metadataKey: "key_id"] = .string(key.id)
            var response: Response
            do {
                response = try await next(request, context)
            } catch let error as APIError {
                if error.code == ValidationCode.insufficientScope.rawValue {
                    // A valid key used beyond its scope: audited like the gateway's own refusals.
                    authenticator.recorder.noteFailure(
                        AuditEvent(
                            occurredAt: Timestamp.nowMillis(), kind: .authFailed, keyId: key.id, userId: key.userId,
                            code: error.code, clientIP: context.clientIP, requestId: context.requestId,
                            detail: "\(request.method.rawValue) \(request.uri.path): \(error.message)"))
                }
                response = try error.response(from: request, context: context)
            } catch let error as any HTTPResponseError {
                response = try APIError(framework: error).response(from: request, context: context)
            }
            for field in Self.rateLimitHeaders(decision) {
                response.headers[field.name] = field.value
            }
            return response
        }
    }

    static func rateLimitHeaders(_ decision: RateLimitDecision) -> HTTPFields {
        var headers = HTTPFields()
        headers[.xRateLimitLimit] = String(decision.limit)
        headers[.xRateLimitRemaining] = String(decision.remaining)
        headers[.xRateLimitReset] = String(decision.reset)
        if !decision.allowed {
            headers[.retryAfter] = String(decision.retryAfterSeconds)
        }
        return headers
    }

    /// A key in the URL ends up in proxy logs, browser history and referrers; refuse it and say
    /// where it belongs. The parameter's value is never echoed.
    static func keyInQueryString(_ request: Request) -> KeyRejection? {
        guard let query = request.uri.query, !query.isEmpty else { return nil }
        // Most queries (`run_id=…`) hold no escapes, so their raw text is what their parameters
        // decode to: when it names no credential parameter and holds no key-like text, none of
        // them can, and the query is not decoded into a dictionary here (2% of a `get_run`).
        if !query.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }),
            !namesACredentialParameter(unescapedQuery: query),
            !APIKeyFormat.containsKeyLikeText(query)
        {
            return nil
        }
        // Names decoded as well as values (Hummingbird's `queryParameters` leaves `api%5Fkey` as it is).
        let items = FormQuery.items(query)
        let named = items.first { PresentedCredential.queryParameterNames.contains($0.name) }?.name
        let valued = items.first { APIKeyFormat.containsKeyLikeText($0.value) }?.name
        guard let name = named ?? valued else { return nil }
        return KeyRejection(
            code: .keyInQueryString,
            message: "API keys are not accepted in the query string (parameter '\(name)'): it is logged by proxies "
                + "and kept in browser history. Send the key in a header instead, 'Authorization: Bearer <key>' or 'X-API-Key: <key>', "
                + "and revoke this key if the URL was shared")
    }
}

extension GatewayMiddleware {
    private static let credentialParameterNames = PresentedCredential.queryParameterNames.map { Array($0.utf8) }

    /// Whether a parameter of a query without escapes is named like a credential, read byte by
    /// byte in place (`String.contains` of each name cost more than decoding the query did).
    static func namesACredentialParameter(unescapedQuery query: String) -> Bool {
        var query = query
        return query.withUTF8 { bytes in
            var start = 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "&") { end += 1 }
                var nameEnd = start
                while nameEnd < end, bytes[nameEnd] != UInt8(ascii: "=") { nameEnd += 1 }
                let name = UnsafeBufferPointer(rebasing: bytes[start..<nameEnd])
                if credentialParameterNames.contains(where: { $0.elementsEqual(name) }) { return true }
                start = end + 1
            }
            return false
        }
    }
}

extension APIError {
    func adding(headers extra: HTTPFields) -> APIError {
        var merged = headers
        for field in extra { merged[field.name] = field.value }
        return APIError(
            status: status, code: code, message: message, detail: detail, mlflowCode: mlflowCode,
            extraFields: extraFields, headers: merged)
    }
}
