import HokusaiCore
import Hummingbird
import Logging
import NIOCore

/// Per-request state shared by the middleware and handlers.
public struct HokusaiRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The request's id: the client's `X-Request-ID` when it sent a usable one, else a new one.
    public var requestId: String = ""
    /// The client address used for per-address limits and the audit log.
    public var clientIP: String = "unknown"
    /// The authenticated key, set by the gateway. Handlers read it through `principal()`.
    public var authenticatedKey: KeyRecord?
    /// Set when the auth service is down and writes are paused (`--degraded-writes false`).
    public var writesPaused = false
    /// What the request turned out to be, filled in by whichever layer learns it and read by the
    /// outermost middleware for the access log and metrics.
    public var notes = RequestNotes()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The authenticated key, or a 401 if the route was (wrongly) reached without one.
    public func principal() throws -> KeyRecord {
        guard let authenticatedKey else {
            throw APIError.unauthenticated(KeyRejection(code: .missing, message: "API key required"))
        }
        return authenticatedKey
    }

    /// The authenticated key, if it grants `scope`; otherwise a 403 naming the scope.
    public func principal(requiring scope: Scope) throws -> KeyRecord {
        let key = try principal()
        if writesPaused, scope != .read { throw APIError.writesPausedWhileDegraded }
        if case .failure(let rejection) = KeyVerifier.verify(
            record: key, demand: VerificationDemand(requiredScope: scope), now: Timestamp.nowMillis())
        {
            notes.authCode = rejection.code
            throw APIError.unauthenticated(rejection)
        }
        return key
    }
}
