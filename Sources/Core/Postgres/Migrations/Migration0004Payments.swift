extension Migration {
    /// Payments: the inbox of provider notifications (stored before the webhook answers), invoices with
    /// gap-free yearly-readable numbers, and the payment columns the return page and invoices read.
    static let m0004Payments = Migration(
        version: 4, name: "payments",
        statements: [
            "ALTER TABLE payments ADD COLUMN paid_at timestamptz",
            "ALTER TABLE payments ADD COLUMN failure_reason text",
            "ALTER TABLE payments ADD COLUMN transaction_id text",
            "ALTER TABLE payments ADD CONSTRAINT payments_paid_has_time CHECK (status <> 'paid' OR paid_at IS NOT NULL)",
            """
            CREATE TABLE payment_events (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                provider text NOT NULL CHECK (provider IN ('hyperpay', 'paytabs', 'zaincash')),
                source text NOT NULL DEFAULT 'webhook' CHECK (source IN ('webhook', 'status')),
                dedupe_key text NOT NULL,
                status text NOT NULL CHECK (status IN ('received', 'applied', 'ignored', 'rejected')),
                reason text,
                headers_json jsonb NOT NULL DEFAULT '{}'::jsonb,
                raw_body bytea NOT NULL,
                notification_json jsonb,
                payment_id uuid REFERENCES payments (id),
                received_at timestamptz NOT NULL DEFAULT now(),
                processed_at timestamptz,
                UNIQUE (provider, dedupe_key),
                CHECK (status = 'received' OR processed_at IS NOT NULL)
            )
            """,
            "CREATE INDEX payment_events_payment_idx ON payment_events (payment_id)",
            "CREATE INDEX payment_events_received_idx ON payment_events (received_at) WHERE status = 'received'",
            "CREATE SEQUENCE invoice_number_seq",
            """
            CREATE TABLE invoices (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                number text NOT NULL UNIQUE,
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
                payment_id uuid NOT NULL UNIQUE REFERENCES payments (id) ON DELETE RESTRICT,
                plan_id text REFERENCES plans (id),
                addon_id text REFERENCES addons (id),
                description text NOT NULL,
                description_ar text NOT NULL,
                amount_fils integer NOT NULL CHECK (amount_fils > 0),
                currency text NOT NULL DEFAULT 'JOD' CHECK (currency = 'JOD'),
                provider text NOT NULL,
                provider_ref text,
                period_start timestamptz,
                period_end timestamptz,
                issued_at timestamptz NOT NULL DEFAULT now(),
                file_id uuid REFERENCES files (id) ON DELETE SET NULL,
                CHECK ((plan_id IS NULL) <> (addon_id IS NULL))
            )
            """,
            "CREATE INDEX invoices_user_issued_idx ON invoices (user_id, issued_at DESC)",
            "CREATE INDEX subscriptions_renewal_idx ON subscriptions (renews_at) WHERE status IN ('trialing', 'active', 'past_due')",
        ])
}
