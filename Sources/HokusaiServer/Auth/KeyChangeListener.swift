import HokusaiStore
import Logging
import ServiceLifecycle
import Synchronization

/// Whether this replica hears other replicas' key changes, for `/ready`.
final class KeyChangeStatus: Sendable {
    struct Snapshot: Sendable {
        var listening = false
        /// How many times listening started: 1 after the first start, more after reconnections.
        var sessions = 0
    }

    private let state = Mutex(Snapshot())

    var snapshot: Snapshot { state.withLock { $0 } }

    func started() {
        state.withLock {
            $0.listening = true
            $0.sessions += 1
        }
    }

    func dropped() { state.withLock { $0.listening = false } }
}

/// Keeps this replica's `KeyRecordCache` in step with the others on PostgreSQL: a revocation or
/// rotation made through any replica (or `hokusai keys` on the store) clears the cache here as
/// soon as it commits, instead of after the cache's lifetime.
///
/// When the channel drops (the server restarts, a proxy cuts the connection) the cache's
/// lifetime is the fallback: the listener logs it, reconnects with a growing pause (0.1 s to
/// 5 s), and clears the cache once listening again, since notifications sent in between are lost.
struct KeyChangeListener: Service {
    let feed: any KeyChangeFeed
    let cache: KeyRecordCache
    let status: KeyChangeStatus
    let logger: Logger

    func run() async throws {
        var pauseMillis = 100
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let sessionsBefore = status.snapshot.sessions
            do {
                try await cancelWhenGracefulShutdown { [feed, cache, status, logger] in
                    try await feed.listenForKeyChanges(
                        listening: {
                            cache.clear()
                            status.started()
                            logger.info("listening for key changes from other replicas")
                        },
                        changed: { cache.clear() })
                }
                status.dropped()
                pauseMillis = 100
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                status.dropped()
                logger.warning(
                    "key change channel dropped: key changes from other replicas take effect within the cache lifetime until it is back",
                    metadata: ["error": "\(String(reflecting: error))", "retry_in_ms": "\(pauseMillis)"])
            }
            cache.clear()
            // A channel that was up and then dropped starts the pauses over; only failures in a row grow them.
            if status.snapshot.sessions > sessionsBefore { pauseMillis = 100 }
            do {
                try await cancelWhenGracefulShutdown { [pauseMillis] in try await Task.sleep(for: .milliseconds(pauseMillis)) }
            } catch {
                break
            }
            pauseMillis = min(pauseMillis * 2, 5_000)
        }
    }
}
