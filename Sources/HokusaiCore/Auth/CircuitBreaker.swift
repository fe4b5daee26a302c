/// A circuit breaker for calls to the auth service, as a pure state machine (the caller supplies
/// the time). Closed: calls go through; `failureThreshold` consecutive failures open it. Open: calls
/// are not made until `openMillis` have passed; then it is half-open and lets one probe call through
/// at a time. `successThreshold` consecutive successes close it; any failure while half-open opens
/// it again. It stops a gateway from hammering an auth service that is down, and from making every
/// request wait for a timeout meanwhile.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: String, Sendable {
        case closed
        case open
        case halfOpen = "half_open"
    }

    public let failureThreshold: Int
    public let successThreshold: Int
    public let openMillis: Int64

    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures = 0
    public private(set) var consecutiveSuccesses = 0
    public private(set) var openedAt: Int64 = 0
    private var probeInFlight = false

    public init(failureThreshold: Int = 5, successThreshold: Int = 2, openMillis: Int64 = 10_000) {
        self.failureThreshold = max(1, failureThreshold)
        self.successThreshold = max(1, successThreshold)
        self.openMillis = max(0, openMillis)
    }

    /// Whether a call may be made now. In half-open, grants one probe until its result is recorded.
    public mutating func permitsCall(now: Int64) -> Bool {
        switch state {
        case .closed:
            return true
        case .open:
            guard now - openedAt >= openMillis else { return false }
            state = .halfOpen
            consecutiveSuccesses = 0
            probeInFlight = true
            return true
        case .halfOpen:
            guard !probeInFlight else { return false }
            probeInFlight = true
            return true
        }
    }

    /// Milliseconds until an open breaker lets a probe through; 0 otherwise.
    public func retryAfterMillis(now: Int64) -> Int64 {
        state == .open ? max(0, openMillis - (now - openedAt)) : 0
    }

    public mutating func recordSuccess(now: Int64) {
        probeInFlight = false
        consecutiveFailures = 0
        switch state {
        case .closed:
            return
        case .open, .halfOpen:
            consecutiveSuccesses += 1
            if consecutiveSuccesses >= successThreshold {
                state = .closed
                consecutiveSuccesses = 0
            }
        }
    }

    public mutating func recordFailure(now: Int64) {
        probeInFlight = false
        consecutiveSuccesses = 0
        consecutiveFailures += 1
        if state == .halfOpen || consecutiveFailures >= failureThreshold {
            state = .open
            openedAt = now
        }
    }
}
