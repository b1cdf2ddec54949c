extension Migration {
    /// The advanced image editor's worker job (`image_edit`) in the `jobs.kind` check.
    static let m0008ImageEdit = Migration(
        version: 8, name: "image_edit_jobs",
        statements: [
            "ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check",
            "ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check CHECK (kind IN (\(JobKind.sqlList)))",
        ])
}
