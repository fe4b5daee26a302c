import HokusaiCore
import Synchronization

/// Key records found in this process's store, kept for a moment so a busy client does not cost a
/// store query per request. Only found keys are kept (an unknown key is looked up each time, and
/// counts as a failed attempt each time). The verification rules still run on every request with
/// the current time, so expiry is exact; a revocation or rotation made here clears the cache at
/// once. One made by another process (a replica, `hokusai keys revoke` on the store) clears it as
/// soon as it commits on PostgreSQL (`KeyChangeListener`), and otherwise takes effect within
/// `lifetimeMillis`.
final class KeyRecordCache: Sendable {
    static let defaultLifetimeMillis: Int64 = 2_000
    let lifetimeMillis: Int64
    private let entries = Mutex([String: (record: KeyRecord, until: Int64)]())
    private let capacity = 10_000

    init(lifetimeMillis: Int64 = KeyRecordCache.defaultLifetimeMillis) {
        self.lifetimeMillis = lifetimeMillis
    }

    func record(hash: String, now: Int64) -> KeyRecord? {
        entries.withLock { entries in
            guard let entry = entries[hash], entry.until > now else { return nil }
            return entry.record
        }
    }

    func remember(_ record: KeyRecord, hash: String, now: Int64) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = (record, now + lifetimeMillis)
        }
    }

    /// After any change to a key (revoke, rotate): nothing stale is served from here.
    func clear() {
        entries.withLock { $0.removeAll() }
    }
}
