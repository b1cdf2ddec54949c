extension Migration {
    /// The product tables of the spec, their constraints and indexes, and the plan and add-on catalogue.
    static let m0001ProductTables = Migration(
        version: 1, name: "product_tables",
        statements: [
            """
            CREATE TABLE users (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                email text NOT NULL CHECK (position('@' IN email) > 1 AND length(email) <= 254),
                phone text CHECK (phone IS NULL OR phone ~ '^\\+?[0-9]{7,15}$'),
                locale text NOT NULL DEFAULT 'ar' CHECK (locale IN ('ar', 'en')),
                is_active boolean NOT NULL DEFAULT true,
                token_version integer NOT NULL DEFAULT 1 CHECK (token_version > 0),
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))",
            """
            CREATE TABLE plans (
                id text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]*$'),
                name text NOT NULL,
                name_ar text NOT NULL,
                price_fils integer NOT NULL CHECK (price_fils >= 0),
                token_limit bigint NOT NULL CHECK (token_limit >= 0),
                image_limit integer NOT NULL CHECK (image_limit >= 0),
                video_limit integer NOT NULL CHECK (video_limit >= 0),
                features_json jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(features_json) = 'object'),
                sort_order integer NOT NULL DEFAULT 0,
                is_active boolean NOT NULL DEFAULT true
            )
            """,
            """
            CREATE TABLE addons (
                id text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]*$'),
                kind text NOT NULL CHECK (kind IN ('tokens', 'images', 'video')),
                amount bigint NOT NULL CHECK (amount > 0),
                price_fils integer NOT NULL CHECK (price_fils > 0),
                name text NOT NULL,
                name_ar text NOT NULL,
                is_active boolean NOT NULL DEFAULT true
            )
            """,
            """
            CREATE TABLE subscriptions (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                plan_id text NOT NULL REFERENCES plans (id),
                status text NOT NULL CHECK (status IN ('pending', 'active', 'past_due', 'canceled', 'expired')),
                current_period_start timestamptz,
                renews_at timestamptz,
                cancel_at_period_end boolean NOT NULL DEFAULT false,
                provider text NOT NULL CHECK (provider IN ('hyperpay', 'paytabs', 'zaincash', 'manual')),
                external_ref text,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                CHECK (status <> 'active' OR (current_period_start IS NOT NULL AND renews_at > current_period_start))
            )
            """,
            "CREATE INDEX subscriptions_user_created_idx ON subscriptions (user_id, created_at)",
            """
            CREATE UNIQUE INDEX subscriptions_one_active_per_user ON subscriptions (user_id)
                WHERE status IN ('active', 'past_due')
            """,
            """
            CREATE TABLE payments (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
                plan_id text REFERENCES plans (id),
                addon_id text REFERENCES addons (id),
                amount_fils integer NOT NULL CHECK (amount_fils > 0),
                currency text NOT NULL DEFAULT 'JOD' CHECK (currency = 'JOD'),
                provider text NOT NULL CHECK (provider IN ('hyperpay', 'paytabs', 'zaincash', 'manual')),
                status text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'paid', 'failed', 'canceled', 'refunded')),
                external_id text,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                meta_json jsonb NOT NULL DEFAULT '{}'::jsonb,
                CHECK ((plan_id IS NULL) <> (addon_id IS NULL))
            )
            """,
            "CREATE INDEX payments_user_created_idx ON payments (user_id, created_at)",
            """
            CREATE UNIQUE INDEX payments_provider_external_key ON payments (provider, external_id)
                WHERE external_id IS NOT NULL
            """,
            """
            CREATE TABLE usage_logs (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                kind text NOT NULL CHECK (kind IN ('tokens', 'images', 'video')),
                amount bigint NOT NULL CHECK (amount >= 0),
                model text,
                created_at timestamptz NOT NULL DEFAULT now(),
                meta_json jsonb NOT NULL DEFAULT '{}'::jsonb
            )
            """,
            "CREATE INDEX usage_logs_user_created_idx ON usage_logs (user_id, created_at)",
            "CREATE INDEX usage_logs_kind_created_idx ON usage_logs (kind, created_at)",
            "CREATE INDEX usage_logs_model_created_idx ON usage_logs (model, created_at)",
            """
            CREATE TABLE files (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                kind text NOT NULL CHECK (kind IN ('image', 'video', 'doc')),
                s3_key text NOT NULL UNIQUE,
                bytes bigint NOT NULL CHECK (bytes >= 0),
                content_type text NOT NULL DEFAULT 'application/octet-stream',
                status text NOT NULL DEFAULT 'ready' CHECK (status IN ('quarantined', 'ready', 'rejected', 'deleted')),
                created_at timestamptz NOT NULL DEFAULT now(),
                meta_json jsonb NOT NULL DEFAULT '{}'::jsonb
            )
            """,
            "CREATE INDEX files_user_created_idx ON files (user_id, created_at)",
            """
            CREATE TABLE jobs (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                user_id uuid REFERENCES users (id) ON DELETE CASCADE,
                kind text NOT NULL CHECK (kind IN (\(JobKind.sqlList))),
                status text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'running', 'done', 'failed', 'canceled')),
                attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                error text,
                payload_json jsonb NOT NULL DEFAULT '{}'::jsonb,
                result_file_id uuid REFERENCES files (id) ON DELETE SET NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX jobs_user_created_idx ON jobs (user_id, created_at)",
            "CREATE INDEX jobs_kind_created_idx ON jobs (kind, created_at)",
            "CREATE INDEX jobs_active_updated_idx ON jobs (status, updated_at) WHERE status IN ('queued', 'running')",
            """
            INSERT INTO plans
                (id, name, name_ar, price_fils, token_limit, image_limit, video_limit, features_json, sort_order)
            VALUES
              ('starter', 'Starter', 'المبتدئ', 3000, 150000, 10, 2,
               '{"chat": true, "cv": true, "image": true, "video": true, "pdf_summary": false, "slides": false,
                 "long_prompts": false, "advanced_editors": false, "max_input_tokens": 8000}', 1),
              ('pro', 'Pro', 'المحترف', 5000, 400000, 30, 5,
               '{"chat": true, "cv": true, "image": true, "video": true, "pdf_summary": true, "slides": true,
                 "long_prompts": false, "advanced_editors": false, "max_input_tokens": 32000}', 2),
              ('creator', 'Creator', 'المبدع', 7000, 1000000, 60, 10,
               '{"chat": true, "cv": true, "image": true, "video": true, "pdf_summary": true, "slides": true,
                 "long_prompts": true, "advanced_editors": true, "max_input_tokens": 128000}', 3)
            """,
            """
            INSERT INTO addons (id, kind, amount, price_fils, name, name_ar)
            VALUES
              ('tokens_200k', 'tokens', 200000, 1000, '+200,000 tokens', '+200,000 رمز'),
              ('images_10', 'images', 10, 1000, '+10 images', '+10 صور'),
              ('video_1', 'video', 1, 1000, '+1 video', '+1 فيديو')
            """,
        ])
}
