extension Migration {
    /// Magic-link sign-in, trials, display preferences and add-on credits.
    static let m0002SignIn = Migration(
        version: 2, name: "sign_in",
        statements: [
            "ALTER TABLE users ADD COLUMN digits text NOT NULL DEFAULT 'latn' CHECK (digits IN ('latn', 'arab'))",
            "ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_status_check",
            """
            ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_status_check
                CHECK (status IN ('pending', 'trialing', 'active', 'past_due', 'canceled', 'expired'))
            """,
            "ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_check",
            """
            ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_period_check
                CHECK (status NOT IN ('trialing', 'active', 'past_due')
                       OR (current_period_start IS NOT NULL AND renews_at > current_period_start))
            """,
            "DROP INDEX subscriptions_one_active_per_user",
            """
            CREATE UNIQUE INDEX subscriptions_one_current_per_user ON subscriptions (user_id)
                WHERE status IN ('trialing', 'active', 'past_due')
            """,
            """
            CREATE TABLE magic_links (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                email text NOT NULL,
                token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
                code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
                locale text NOT NULL DEFAULT 'ar' CHECK (locale IN ('ar', 'en')),
                failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
                requested_ip text,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                used_at timestamptz,
                CHECK (expires_at > created_at)
            )
            """,
            "CREATE INDEX magic_links_email_created_idx ON magic_links (lower(email), created_at)",
            "CREATE INDEX magic_links_expires_idx ON magic_links (expires_at)",
            """
            CREATE TABLE addon_credits (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                addon_id text NOT NULL REFERENCES addons (id),
                kind text NOT NULL CHECK (kind IN ('tokens', 'images', 'video')),
                amount bigint NOT NULL CHECK (amount > 0),
                period_start timestamptz NOT NULL,
                period_end timestamptz NOT NULL,
                payment_id uuid UNIQUE REFERENCES payments (id),
                created_at timestamptz NOT NULL DEFAULT now(),
                CHECK (period_end > period_start)
            )
            """,
            "CREATE INDEX addon_credits_user_period_idx ON addon_credits (user_id, period_start)",
        ])
}
