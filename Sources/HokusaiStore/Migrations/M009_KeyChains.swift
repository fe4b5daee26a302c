/// Keys made by non-admin keys form chains (see `KeyBudget`): `parent_key_id` is the creating key,
/// whose revocation revokes this one too; `budget_key_id` and `budget_rate_limit_per_hour` are the
/// chain's root key and its hourly limit, which every key of the chain draws on.
///
/// Keys created by non-admin keys before this migration join their creator's chain: their parent
/// and budget become that creator, and an expiry later than the creator's (or none) becomes the
/// creator's. Deeper chains made before it are joined one level at a time, not to their root.
enum M009_KeyChains {
    static let migration = Migration(id: 9, name: "key chains") { _ in
        [
            "ALTER TABLE api_keys ADD COLUMN parent_key_id TEXT",
            "ALTER TABLE api_keys ADD COLUMN budget_key_id TEXT",
            "ALTER TABLE api_keys ADD COLUMN budget_rate_limit_per_hour BIGINT",
            "CREATE INDEX api_keys_parent ON api_keys (parent_key_id)",
            "CREATE INDEX api_keys_budget ON api_keys (budget_key_id)",
            """
            UPDATE api_keys SET
                parent_key_id = created_by,
                budget_key_id = created_by,
                budget_rate_limit_per_hour = (SELECT creator.rate_limit_per_hour FROM api_keys creator
                    WHERE creator.id = api_keys.created_by)
            WHERE rotated_from IS NULL AND created_by IN (
                SELECT creator.id FROM api_keys creator WHERE creator.scopes NOT LIKE '%admin%')
            """,
            """
            UPDATE api_keys SET expires_at = (SELECT creator.expires_at FROM api_keys creator
                WHERE creator.id = api_keys.parent_key_id)
            WHERE parent_key_id IS NOT NULL AND EXISTS (
                SELECT 1 FROM api_keys creator WHERE creator.id = api_keys.parent_key_id
                    AND creator.expires_at IS NOT NULL
                    AND (api_keys.expires_at IS NULL OR api_keys.expires_at > creator.expires_at))
            """,
        ]
    }
}
