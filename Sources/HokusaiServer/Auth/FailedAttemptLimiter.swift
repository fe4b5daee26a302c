import HokusaiCore
import Synchronization

/// Limits failed authentication attempts per client address, so keys cannot be guessed at
/// speed: past `maximumFailures` within `windowSeconds` of an address's first failure, every
/// failed check from the address is answered `TOO_MANY_FAILED_ATTEMPTS` until that window ends
/// (so a guess tells nothing), while a valid key from it still works (`KeyAuthenticator`).
final class FailedAttemptLimiter: Sendable {
    let maximumFailures: Int
    let windowSeconds: Int64
    private let windows = Mutex([String: FailedAttemptWindow]())
    /// Past this many addresses, ended windows are dropped so the table cannot grow without bound.
    private static let pruneThreshold = 100_000

    init(maximumFailures: Int, windowSeconds: Int) {
        self.maximumFailures = maximumFailures
        self.windowSeconds = Int64(windowSeconds)
    }

    /// Seconds until `address` may try again, or nil when it is not blocked.
    func retryAfter(address: String, now: Int64) -> Int? {
        windows.withLock { windows in
            windows[address]?.retryAfterSeconds(
                at: now, maximumFailures: maximumFailures, lengthSeconds: windowSeconds)
        }
    }

    func recordFailure(address: String, now: Int64) {
        windows.withLock { windows in
            if windows.count > Self.pruneThreshold {
                windows = windows.filter { !$0.value.hasEnded(at: now, lengthSeconds: windowSeconds) }
            }
            if var window = windows[address] {
                window.recordFailure(at: now, lengthSeconds: windowSeconds)
                windows[address] = window
            } else {
                windows[address] = FailedAttemptWindow(firstFailureAt: now)
            }
        }
    }
}
