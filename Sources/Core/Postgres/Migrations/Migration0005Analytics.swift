extension Migration {
    /// Daily totals per plan and per model, written by the worker's `analytics_rollup`.
    static let m0005Analytics = Migration(
        version: 5, name: "analytics",
        statements: [
            """
            CREATE TABLE analytics_daily (
                day date NOT NULL,
                plan_id text NOT NULL,
                model text NOT NULL,
                kind text NOT NULL CHECK (kind IN ('tokens', 'images', 'video')),
                users integer NOT NULL CHECK (users >= 0),
                requests integer NOT NULL CHECK (requests >= 0),
                amount bigint NOT NULL CHECK (amount >= 0),
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (day, plan_id, model, kind)
            )
            """,
            "CREATE INDEX analytics_daily_model_idx ON analytics_daily (model, day)",
        ])
}
