import HokusaiCore
import Synchronization

/// A small shared box in the request context. Contexts are values copied down the middleware
/// chain, so facts learned deep inside (the key's id, the auth outcome) travel back up through this.
public final class RequestNotes: Sendable {
    private struct State {
        var keyId: String?
        var authCode: ValidationCode?
    }

    private let state = Mutex(State())

    public init() {}

    public var keyId: String? {
        get { state.withLock { $0.keyId } }
        set { state.withLock { $0.keyId = newValue } }
    }

    public var authCode: ValidationCode? {
        get { state.withLock { $0.authCode } }
        set { state.withLock { $0.authCode = newValue } }
    }
}
