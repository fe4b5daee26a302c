import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import Logging

/// The outermost layer: gives every request an id (`X-Request-ID`, echoed when the client sent a
/// usable one), renders any error that escaped as JSON, turns the router's bare 404 into a JSON
/// 404 or 405, and writes one access-log line and the request metrics.
///
/// The access log holds the method, the path without its query string, the status, the time
/// and the key id: never a header, a query string or a body, which is where keys travel.
struct RequestEnvelopeMiddleware: RouterMiddleware {
    typealias Context = HokusaiRequestContext

    let routes: RouteTable
    let metrics: AppMetrics
    let clientAddressRule: ClientAddressRule

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        context.requestId = RequestIdentifier.resolve(clientSupplied: request.headers[.xRequestID])
        context.clientIP = clientAddress(of: request, context: context)
        context.logger[metadataKey: "request_id"] = .string(context.requestId)
        let family = PathFamily.of(path: request.uri.path)

        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = try error.render(family: family, requestId: context.requestId)
        } catch let error as any HTTPResponseError {
            // The framework's own errors (no route: a bare 404; body too large) in our format.
            response = try APIError(framework: error).render(family: family, requestId: context.requestId)
        } catch {
            // `describing`, not `reflecting`: database errors' debug form includes bound values,
            // and those include key hashes.
            context.logger.error("unhandled error", metadata: ["error": "\(String(describing: error))"])
            response = try APIError.internalError.render(family: family, requestId: context.requestId)
        }
        let route: String
        if let matched = context.endpointPath, response.status != .notFound {
            // The router matched and answered: the common case, with no table lookup.
            route = matched
        } else {
            // Refused before routing, or a 404: the route table says whether the route exists.
            let pattern = routes.pattern(for: request.method, path: request.uri.path)
            if response.status == .notFound, pattern == nil {
                response = try unmatched(request, family: family, requestId: context.requestId)
            }
            route = pattern.map { context.endpointPath ?? $0 } ?? "unmatched"
        }
        response.headers[.xRequestID] = context.requestId

        let duration = ContinuousClock.now - start
        metrics.recordRequest(
            method: request.method.rawValue, route: route, status: Int(response.status.code), duration: duration)
        if let code = context.notes.authCode {
            metrics.recordAuthentication(code)
        }
        // The access line at info: built only when it will be written (`--log-level warning`
        // and above skip it).
        if context.logger.logLevel <= .info {
            var metadata: Logger.Metadata = [
                "method": .string(request.method.rawValue),
                "path": .string(KeyLikeTextMask.masking(request.uri.path)),
                "status": .stringConvertible(response.status.code),
                "ms": .string(Self.milliseconds(duration)),
            ]
            if let keyId = context.notes.keyId { metadata["key_id"] = .string(keyId) }
            context.logger.info("request", metadata: metadata)
        }
        return response
    }

    /// `duration` in milliseconds with two decimals ("0.42").
    static func milliseconds(_ duration: Duration) -> String {
        let hundredths = duration.components.seconds * 100_000 + duration.components.attoseconds / 10_000_000_000_000
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    /// No route matched: 405 with `Allow` when the path exists under other methods, else 404.
    private func unmatched(_ request: Request, family: PathFamily, requestId: String) throws -> Response {
        let allowed = routes.allowedMethods(for: request.uri.path)
        if !allowed.isEmpty {
            let names = allowed.map(\.rawValue).joined(separator: ", ")
            var headers = HTTPFields()
            headers[.allow] = names
            return try APIError(
                status: .methodNotAllowed, code: "METHOD_NOT_ALLOWED",
                message: "\(request.method.rawValue) is not allowed on \(request.uri.path); allowed: \(names)",
                headers: headers
            ).render(family: family, requestId: requestId)
        }
        return try APIError(
            status: .notFound, code: "NOT_FOUND",
            message: "No route for \(request.method.rawValue) \(request.uri.path)",
            detail: "Not Found", mlflowCode: "ENDPOINT_NOT_FOUND"
        ).render(family: family, requestId: requestId)
    }

    private func clientAddress(of request: Request, context: Context) -> String {
        let peer = context.remoteAddress?.ipAddress
        guard clientAddressRule.readsForwardedFor else { return peer ?? "unknown" }
        let forwarded = request.headers[values: .xForwardedFor]
        return clientAddressRule.clientAddress(
            peer: peer, forwardedFor: forwarded.isEmpty ? nil : forwarded.joined(separator: ","))
    }
}
