import HokusaiCore
import Logging
import Synchronization

/// Limits how many connections are open at once, in all and from one client address, so one
/// client cannot take every file descriptor (20,000 idle connections from one address once left
/// `/health` unanswered for 30 s). A connection past a limit is closed as soon as it is accepted;
/// the refusal is counted in `/metrics` and logged, at most once per address every 10 seconds.
///
/// The address is the socket's peer: behind a load balancer every connection comes from it, so
/// raise the per-address limit there (`--max-connections-per-address`).
final class ConnectionGate: Sendable {
    struct Limits: Sendable, Equatable {
        var total: Int
        var perAddress: Int
    }

    enum Refusal: String, Sendable {
        case total
        case perAddress = "per_address"
    }

    private struct State {
        var open = 0
        var byAddress: [String: Int] = [:]
        var lastLogged: [String: Int64] = [:]
        /// The most connections open at once since the last trim of the heap.
        var highWater = 0
    }

    let limits: Limits
    private let state = Mutex(State())
    private let metrics: AppMetrics
    private let logger: Logger

    init(limits: Limits, metrics: AppMetrics, logger: Logger) {
        self.limits = limits
        self.metrics = metrics
        self.logger = logger
    }

    /// Admits a connection from `address` (counting it) or says which limit refuses it.
    func admit(address: String, now: Int64 = Timestamp.nowMillis()) -> Refusal? {
        let (refusal, shouldLog, open) = state.withLock { state -> (Refusal?, Bool, Int) in
            let fromAddress = state.byAddress[address, default: 0]
            let refusal: Refusal? =
                state.open >= limits.total ? .total : fromAddress >= limits.perAddress ? .perAddress : nil
            guard let refusal else {
                state.open += 1
                state.byAddress[address] = fromAddress + 1
                state.highWater = max(state.highWater, state.open)
                return (nil, false, state.open)
            }
            if state.lastLogged.count > 10_000 { state.lastLogged.removeAll() }
            let logged = state.lastLogged[address].map { now - $0 >= 10_000 } ?? true
            if logged { state.lastLogged[address] = now }
            return (refusal, logged, state.open)
        }
        metrics.recordConnection(open: open, refused: refusal)
        if let refusal, shouldLog {
            logger.warning(
                "connection refused",
                metadata: [
                    "client_ip": .string(address), "limit": .string(refusal.rawValue),
                    "max": .stringConvertible(refusal == .total ? limits.total : limits.perAddress),
                    "open": .stringConvertible(open),
                ])
        }
        return refusal
    }

    /// A connection `admit` let in has closed. Returns true when a flood has just ended (far
    /// fewer connections open than at the high-water mark of at least `floodSize`), once per flood:
    /// the moment to give the heap back (`HeapTrim`).
    func release(address: String, floodSize: Int = 1_000) -> Bool {
        let (open, floodEnded) = state.withLock { state -> (Int, Bool) in
            state.open -= 1
            let left = state.byAddress[address, default: 1] - 1
            state.byAddress[address] = left > 0 ? left : nil
            let ended = state.highWater >= floodSize && state.open <= state.highWater / 10
            if ended { state.highWater = state.open }
            return (state.open, ended)
        }
        metrics.recordConnection(open: open, refused: nil)
        return floodEnded
    }
}
