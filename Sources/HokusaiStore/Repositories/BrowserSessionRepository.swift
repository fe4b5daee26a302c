import SQLKit

/// One signed-in browser, as stored: never the cookie's token, only its hash.
public struct BrowserSessionRow: Sendable, Equatable {
    public let sessionHash: String
    public let keyHash: String
    public let keyId: String
    public let createdAt: Int64
    public let expiresAt: Int64

    public init(sessionHash: String, keyHash: String, keyId: String, createdAt: Int64, expiresAt: Int64) {
        self.sessionHash = sessionHash
        self.keyHash = keyHash
        self.keyId = keyId
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// SQL for the `browser_sessions` table.
public struct BrowserSessionRepository: Sendable {
    public init() {}

    public func insert(_ session: BrowserSessionRow, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO browser_sessions (session_hash, key_hash, key_id, created_at, expires_at)
            VALUES (\(bind: session.sessionHash), \(bind: session.keyHash), \(bind: session.keyId),
                \(bind: session.createdAt), \(bind: session.expiresAt))
            """
        ).run()
    }

    /// The session, if it exists and has not ended by `now`.
    public func find(sessionHash: String, now: Int64, on db: any SQLDatabase) async throws -> BrowserSessionRow? {
        try await db.raw(
            """
            SELECT session_hash, key_hash, key_id, created_at, expires_at FROM browser_sessions
            WHERE session_hash = \(bind: sessionHash) AND expires_at > \(bind: now)
            """
        ).first().map { row in
            BrowserSessionRow(
                sessionHash: try row.decode(column: "session_hash", as: String.self),
                keyHash: try row.decode(column: "key_hash", as: String.self),
                keyId: try row.decode(column: "key_id", as: String.self),
                createdAt: try row.decode(column: "created_at", as: Int64.self),
                expiresAt: try row.decode(column: "expires_at", as: Int64.self))
        }
    }

    public func delete(sessionHash: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM browser_sessions WHERE session_hash = \(bind: sessionHash)").run()
    }

    /// Every session of a key (revoked or rotated away: its sessions end with it).
    public func delete(keyId: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM browser_sessions WHERE key_id = \(bind: keyId)").run()
    }

    /// Sessions that ended before `now`, so the table does not grow with every sign-in.
    public func deleteEnded(before now: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM browser_sessions WHERE expires_at <= \(bind: now)").run()
    }
}
