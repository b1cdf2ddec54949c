extension Migration {
    /// The text read out of a user's document once (`doc_extract`), so a second question about the same
    /// file does not read it again; and the new job kind in the `jobs.kind` check.
    static let m0007FileTexts = Migration(
        version: 7, name: "file_texts",
        statements: [
            """
            CREATE TABLE file_texts (
                file_id uuid PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
                pages text[] NOT NULL,
                ocr_pages bigint[] NOT NULL DEFAULT '{}',
                chars integer NOT NULL CHECK (chars >= 0),
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check",
            "ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check CHECK (kind IN (\(JobKind.sqlList)))",
        ])
}
