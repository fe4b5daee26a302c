import AsyncHTTPClient
import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// A real MLflow server the gateway fronts (`--mlflow-upstream`).
public struct MLflowUpstreamConfiguration: Sendable {
    public var url: String
    /// The upstream's own path prefix, for a server started with a static prefix (`/mlflow`).
    public var prefix = ""
    /// Send `/ajax-api/…` instead of `/api/…` upstream (a server that serves the REST API only there).
    public var useAjaxAPI = false
    public var connectTimeoutMillis: Int64 = 5000
    /// The longest the upstream may stay silent mid-request before the gateway answers 504.
    public var idleTimeoutMillis: Int64 = 120_000

    public init(url: String) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}

/// Forwards every MLflow and artifact request, once authenticated, rate-limited and authorized
/// here, to a real MLflow server: bodies streamed both ways (memory stays flat on large
/// artifacts), repeated query keys kept as sent, hop-by-hop headers and the client's credential
/// dropped, identity headers a client might forge removed and the authenticated ones added.
/// Upstream failures answer as MLflow JSON naming the upstream: 504 on a timeout, 502 when it
/// cannot be reached; an HTML 404 becomes `ENDPOINT_NOT_FOUND`.
final class MLflowUpstream: Service, Sendable {
    let configuration: MLflowUpstreamConfiguration
    let client: HTTPClient
    let logger: Logger

    init(configuration: MLflowUpstreamConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var clientConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        clientConfiguration.timeout = .init(
            connect: .milliseconds(configuration.connectTimeoutMillis), read: .milliseconds(configuration.idleTimeoutMillis))
        clientConfiguration.decompression = .disabled
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
    }

    func run() async throws {
        try? await gracefulShutdown()
        try? await client.shutdown()
    }

    /// Every client-facing path family the upstream answers: the MLflow API and artifacts under
    /// every prefix, and MLflow 3's `/3.0/` APIs.
    static var routePrefixes: [String] {
        MLflowAPI.prefixes.flatMap { prefix in
            [prefix, prefix + "-artifacts", prefix.replacingOccurrences(of: "/2.0/mlflow", with: "/3.0/mlflow")]
        }
    }

    func register(on routes: inout RouteRegistrar) {
        let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete]
        for prefix in Self.routePrefixes {
            for method in methods {
                // Any key may reach the proxy; the scope each upstream path needs is checked in `forward`.
                routes.add(method, prefix + "/**", requires: .read) { request, context, _ in
                    try await self.forward(request, context)
                }
            }
        }
    }

    func forward(_ request: Request, _ context: HokusaiRequestContext) async throws -> Response {
        let rawPath = request.uri.path
        guard
            let path = MLflowProxyRules.upstreamPath(
                for: rawPath, useAjaxAPI: configuration.useAjaxAPI, upstreamPrefix: configuration.prefix)
        else {
            throw APIError(mlflow: MLflowError(.endpointNotFound, "No route for \(request.method.rawValue) \(rawPath)"))
        }
        let key = try context.principal(requiring: MLflowProxyRules.requiredScope(method: request.method.rawValue, path: path))
        var url = configuration.url + path
        if let query = request.uri.query, !query.isEmpty { url += "?" + query }

        var upstream = HTTPClientRequest(url: url)
        upstream.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !MLflowProxyRules.droppedRequestHeaders.contains(field.name.canonicalName) {
            upstream.headers.add(name: field.name.rawName, value: field.value)
        }
        upstream.headers.add(name: "X-Hokusai-User-Id", value: key.userId)
        upstream.headers.add(name: "X-Hokusai-API-Key-Id", value: key.id)
        upstream.headers.add(name: "X-Forwarded-For", value: context.clientIP)
        upstream.headers.add(name: "X-Request-ID", value: context.requestId)
        if request.method != .get, request.method != .head {
            let length = request.headers[.contentLength].flatMap(Int64.init)
            upstream.body = .stream(request.body, length: length.map { .known($0) } ?? .unknown)
        }

        let response: HTTPClientResponse
        do {
            response = try await client.execute(upstream, timeout: .hours(6))
        } catch {
            throw upstreamFailure(error, path: path)
        }
        let contentType = response.headers.first(name: "Content-Type") ?? ""
        if response.status == .notFound, !contentType.contains("json") {
            _ = try? await response.body.collect(upTo: 1 << 16)
            throw APIError(
                mlflow: MLflowError(
                    .endpointNotFound,
                    "The MLflow server at \(configuration.url) has no route for \(request.method.rawValue) \(path)"))
        }
        var headers = HTTPFields()
        for (name, value) in response.headers where !MLflowProxyRules.droppedResponseHeaders.contains(name.lowercased()) {
            if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
        }
        return Response(
            status: .init(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase), headers: headers,
            body: ResponseBody(asyncSequence: response.body))
    }

    func upstreamFailure(_ error: any Error, path: String) -> APIError {
        let described = String(describing: error)
        let timedOut =
            (error as? HTTPClientError).map { [.readTimeout, .connectTimeout, .deadlineExceeded].contains($0) } ?? false
            || described.contains("Timeout") || described.contains("timeout")
        logger.warning(
            "MLflow upstream failed", metadata: ["upstream": "\(configuration.url)", "path": "\(path)", "error": "\(described)"])
        if timedOut {
            return APIError(
                status: .gatewayTimeout, code: "UPSTREAM_TIMEOUT",
                message: "The MLflow server at \(configuration.url) did not answer in time (\(path))",
                mlflowCode: "DEADLINE_EXCEEDED")
        }
        return APIError(
            status: .badGateway, code: "UPSTREAM_UNREACHABLE",
            message: "Cannot reach the MLflow server at \(configuration.url): \(described.prefix(200))",
            mlflowCode: "TEMPORARILY_UNAVAILABLE")
    }

    /// One request to the upstream for the health routes: its status and latency, never an exception.
    func probe(_ name: String, _ method: HTTPMethod, _ path: String, body: String?) async -> TrackingProbe {
        var request = HTTPClientRequest(url: configuration.url + configuration.prefix + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let start = ContinuousClock.now
        func elapsed() -> Double {
            let duration = ContinuousClock.now - start
            return (Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15).rounded(
                toPlaces: 3)
        }
        do {
            let response = try await client.execute(request, timeout: .seconds(5))
            _ = try? await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            let ok = (200..<300).contains(status)
            return TrackingProbe(
                name: name, ok: ok, status: status, latencyMs: elapsed(), error: ok ? nil : "\(path) answered \(status)")
        } catch {
            return TrackingProbe(
                name: name, ok: false, status: nil, latencyMs: elapsed(),
                error: "cannot reach \(configuration.url): \(String(describing: error).prefix(200))")
        }
    }
}
