extension Migration {
    /// What operators change through `studioctl`: one `admin_audit` row per change, and support
    /// credits recorded next to bought add-ons (no add-on, a reason instead).
    static let m0006Operations = Migration(
        version: 6, name: "operations",
        statements: [
            """
            CREATE TABLE admin_audit (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                operator text NOT NULL CHECK (length(operator) > 0),
                action text NOT NULL,
                target text NOT NULL,
                reason text NOT NULL CHECK (length(reason) > 0),
                details jsonb NOT NULL DEFAULT '{}'::jsonb,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX admin_audit_target_idx ON admin_audit (target, created_at)",
            "ALTER TABLE addon_credits ALTER COLUMN addon_id DROP NOT NULL",
            "ALTER TABLE addon_credits ADD COLUMN reason text",
            """
            ALTER TABLE addon_credits ADD CONSTRAINT addon_credits_source_check
                CHECK (addon_id IS NOT NULL OR (reason IS NOT NULL AND length(reason) > 0))
            """,
        ])
}
