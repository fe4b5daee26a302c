/// On PostgreSQL, every change to a key that verification reads sends a notification on
/// `hokusai_key_changes`, so each replica drops its cached key records at once (`KeyChangeFeed`)
/// instead of serving a revoked or rotated key until the cache's lifetime runs out.
///
/// A trigger rather than a `pg_notify` in each write: every writer — a replica, `hokusai keys
/// revoke` on the store, a hand-written `UPDATE` — is covered. PostgreSQL sends notifications only
/// when the transaction commits, and folds identical ones within it. The payload is the schema, so
/// deployments sharing a database (one schema each) clear only their own caches. `last_used_at`,
/// written in the background for every used key, is left out. SQLite is one process: nothing to do.
enum M010_KeyChangeNotifications {
    static let channel = "hokusai_key_changes"

    static let migration = Migration(id: 10, name: "key change notifications") { kind in
        guard kind == .postgresql else { return [] }
        return [
            """
            CREATE FUNCTION hokusai_notify_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(channel)', current_schema());
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER api_keys_changed
            AFTER UPDATE OF name, user_id, email, service_id, environment, scopes, rate_limit_per_hour, billing_plan,
                expires_at, revoked_at, replaced_by, parent_key_id, budget_key_id, budget_rate_limit_per_hour
                OR DELETE ON api_keys
            FOR EACH STATEMENT EXECUTE FUNCTION hokusai_notify_key_change()
            """,
        ]
    }
}
