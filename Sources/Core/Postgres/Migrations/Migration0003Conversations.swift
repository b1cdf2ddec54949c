extension Migration {
    /// Chat history, searchable in Arabic: every text is also stored normalised (ArabicNormalizer)
    /// and indexed with trigrams, so a search for any spelling finds the others.
    static let m0003Conversations = Migration(
        version: 3, name: "conversations",
        statements: [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            """
            CREATE TABLE conversations (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
                title_normalized text NOT NULL,
                model text,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX conversations_user_updated_idx ON conversations (user_id, updated_at DESC)",
            """
            CREATE TABLE messages (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
                role text NOT NULL CHECK (role IN ('user', 'assistant')),
                content text NOT NULL,
                content_normalized text NOT NULL,
                model text,
                created_at timestamptz NOT NULL DEFAULT clock_timestamp()
            )
            """,
            "CREATE INDEX messages_conversation_created_idx ON messages (conversation_id, created_at)",
            "CREATE INDEX messages_content_trgm_idx ON messages USING gin (content_normalized gin_trgm_ops)",
            "CREATE INDEX conversations_title_trgm_idx ON conversations USING gin (title_normalized gin_trgm_ops)",
        ])
}
