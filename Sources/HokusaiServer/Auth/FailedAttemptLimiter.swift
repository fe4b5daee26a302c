import HokusaiCore
import Synchronization

/// Limits failed authentication attempts per client address, so keys cannot be guessed at
/// speed: past `maximumFailures` in `windowSeconds`, the address is refused until the window ends,
/// without the store being consulted.
final class FailedAttemptLimiter: Sendable {
    private struct Window {
        var start: Int64
        var failures: Int
    }

    let maximumFailures: Int
    let windowSeconds: Int64
    private let windows = Mutex([String: Window]())

    init(maximumFailures: Int, windowSeconds: Int) {
        self.maximumFailures = maximumFailures
        self.windowSeconds = Int64(windowSeconds)
    }

    private func windowStart(_ now: Int64) -> Int64 {
        let seconds = now / 1000
        return seconds - seconds % windowSeconds
    }

    /// Seconds until `address` may try again, or nil when it is not blocked.
    func retryAfter(address: String, now: Int64) -> Int? {
        let start = windowStart(now)
        return windows.withLock { windows -> Int? in
            guard let window = windows[address], window.start == start, window.failures >= maximumFailures else {
                return nil
            }
            return max(1, Int(start + windowSeconds - now / 1000))
        }
    }

    func recordFailure(address: String, now: Int64) {
        let start = windowStart(now)
        windows.withLock { windows in
            if windows.count > 100_000 {
                windows = windows.filter { $0.value.start == start }
            }
            var window = windows[address] ?? Window(start: start, failures: 0)
            if window.start != start { window = Window(start: start, failures: 0) }
            window.failures += 1
            windows[address] = window
        }
    }
}
