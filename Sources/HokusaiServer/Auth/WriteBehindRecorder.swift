import HokusaiCore
import HokusaiStore
import Logging
import ServiceLifecycle
import Synchronization

/// Writes what need not be on the request path in batches: keys' `last_used_at` and the audit
/// log's authentication failures. A service, so the last batch is written at graceful shutdown.
public final class WriteBehindRecorder: Service, Sendable {
    private struct Pending {
        var lastUse: [String: Int64] = [:]
        var failures: [AuditEvent] = []
        var droppedFailures = 0
    }

    /// Failures kept in memory between flushes; beyond it they are counted, not stored, so a
    /// flood of bad keys cannot exhaust memory.
    static let maximumPendingFailures = 10_000

    private let pending = Mutex(Pending())
    private let database: any Database
    private let interval: Duration
    private let logger: Logger

    public init(database: any Database, interval: Duration, logger: Logger) {
        self.database = database
        self.interval = interval
        self.logger = logger
    }

    func noteUse(keyId: String, at time: Int64) {
        pending.withLock { $0.lastUse[keyId] = time }
    }

    func noteFailure(_ event: AuditEvent) {
        pending.withLock { pending in
            if pending.failures.count < Self.maximumPendingFailures {
                pending.failures.append(event)
            } else {
                pending.droppedFailures += 1
            }
        }
    }

    /// Writes everything pending in one transaction. Public so tests and shutdown can force it.
    public func flush() async throws {
        let batch = pending.withLock { pending -> Pending in
            let batch = pending
            pending = Pending()
            return batch
        }
        guard !batch.lastUse.isEmpty || !batch.failures.isEmpty else { return }
        do {
            try await database.transaction { db in
                try await KeyRepository().recordLastUse(batch.lastUse, on: db)
                let audit = AuditRepository()
                for event in batch.failures {
                    try await audit.insert(event, on: db)
                }
            }
        } catch {
            // Put the batch back so the next flush retries it; newer last-use times win.
            pending.withLock { pending in
                pending.lastUse.merge(batch.lastUse) { newer, _ in newer }
                let room = max(0, Self.maximumPendingFailures - pending.failures.count)
                pending.failures.insert(contentsOf: batch.failures.prefix(room), at: 0)
            }
            throw error
        }
        if batch.droppedFailures > 0 {
            logger.warning("audit log dropped authentication failures", metadata: ["count": "\(batch.droppedFailures)"])
        }
    }

    public func run() async throws {
        while true {
            do {
                try await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
            } catch {
                break
            }
            await flushLoggingErrors()
        }
        await flushLoggingErrors()
    }

    private func flushLoggingErrors() async {
        do {
            try await flush()
        } catch {
            logger.error("write-behind flush failed; will retry", metadata: ["error": "\(String(describing: error))"])
        }
    }
}
