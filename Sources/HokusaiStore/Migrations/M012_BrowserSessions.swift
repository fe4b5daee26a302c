/// Browsers signed in with a key (`BrowserSession`): the SHA-256 of each session's cookie token,
/// the key it stands for (by the key's own stored hash, so a request with the cookie is checked
/// exactly as one with the key), and when it ends. Shared by every replica on the store.
enum M012_BrowserSessions {
    static let migration = Migration(id: 12, name: "browser sessions") { _ in
        [
            """
            CREATE TABLE browser_sessions (
                session_hash TEXT PRIMARY KEY,
                key_hash TEXT NOT NULL,
                key_id TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX browser_sessions_by_key ON browser_sessions (key_id)",
            "CREATE INDEX browser_sessions_by_expiry ON browser_sessions (expires_at)",
        ]
    }
}
