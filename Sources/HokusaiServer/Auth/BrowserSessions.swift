import HokusaiCore
import HokusaiStore
import Synchronization

/// Signed-in browsers (`BrowserSession`), kept in the store so every replica knows them. A found
/// session is reused for a moment, like a found key (`KeyRecordCache`), so a page that fires
/// twenty API calls costs one lookup; signing out here takes effect at once, elsewhere within
/// that moment. The key behind a session is checked on every request, so a revoked or expired
/// key ends its sessions immediately.
final class BrowserSessions: Sendable {
    let database: any Database
    let lifetimeSeconds: Int64
    private let cacheMillis: Int64
    private let cache = Mutex([String: (row: BrowserSessionRow, until: Int64)]())
    private let capacity = 10_000

    init(database: any Database, lifetimeSeconds: Int64 = BrowserSession.defaultLifetimeSeconds, cacheMillis: Int64 = 2_000) {
        self.database = database
        self.lifetimeSeconds = lifetimeSeconds
        self.cacheMillis = cacheMillis
    }

    /// A new session for `key`; returns the cookie's token, which only the browser keeps.
    func start(for key: KeyRecord, now: Int64) async throws -> String {
        let token = BrowserSession.newToken()
        let row = BrowserSessionRow(
            sessionHash: BrowserSession.hash(token), keyHash: key.keyHash, keyId: key.id, createdAt: now,
            expiresAt: now + lifetimeSeconds * 1_000)
        try await database.transaction { db in
            let repository = BrowserSessionRepository()
            try await repository.deleteEnded(before: now, on: db)
            try await repository.insert(row, on: db)
        }
        return token
    }

    /// The live session a cookie's token names, if any.
    func find(token: Substring, now: Int64) async throws -> BrowserSessionRow? {
        let hash = BrowserSession.hash(String(token))
        if let cached = cache.withLock({ $0[hash] }), cached.until > now, cached.row.expiresAt > now {
            return cached.row
        }
        let row = try await database.read { db in
            try await BrowserSessionRepository().find(sessionHash: hash, now: now, on: db)
        }
        cache.withLock { cache in
            if let row {
                if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
                cache[hash] = (row, now + cacheMillis)
            } else {
                cache[hash] = nil
            }
        }
        return row
    }

    /// Signs the browser out: the session is gone from the store, not only from its cookie jar.
    func end(token: Substring) async throws {
        let hash = BrowserSession.hash(String(token))
        cache.withLock { $0[hash] = nil }
        try await database.transaction { db in try await BrowserSessionRepository().delete(sessionHash: hash, on: db) }
    }
}
