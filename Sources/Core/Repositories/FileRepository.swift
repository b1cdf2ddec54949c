import Foundation
import Logging
import PostgresNIO

/// A user's file as the studio records it.
public struct StoredFile: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case quarantined, ready, rejected, deleted }
    public let id: UUID
    public let userID: UUID
    public let kind: String
    public let key: String
    public let bytes: Int64
    public let contentType: String
    public let status: Status
    public let createdAt: Date
    /// The name it was uploaded under (display only; never used as a path).
    public let name: String
    public let type: FileType?
    public let rejectReason: String?
    /// A preview image of this file (video frames), itself a file of the same user.
    public var thumbnailID: UUID? = nil
}

/// Rows of `files`. Reads for users are always by owner: another user's file does not exist.
public struct FileRepository: Sendable {
    let client: PostgresClient
    let logger: Logger
    static let columns = """
        id, user_id, kind, s3_key, bytes, content_type, status, created_at,
        COALESCE(meta_json->>'name', ''), meta_json->>'type', meta_json->>'reject_reason', meta_json->>'thumbnail_file_id'
        """

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func create(id: UUID, userID: UUID, type: FileType, key: String, bytes: Int64, name: String) async throws
        -> StoredFile
    {
        let meta = String(
            decoding: try JSONEncoder.studio.encode(["name": name, "type": type.rawValue]), as: UTF8.self)
        let rows = try await client.query(
            """
            INSERT INTO files (id, user_id, kind, s3_key, bytes, content_type, status, meta_json)
            VALUES (\(id), \(userID), \(type.kind), \(key), \(bytes), \(type.contentType), 'quarantined', \(meta)::jsonb)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let file = try await Self.first(rows) else { throw AppError.internalError }
        return file
    }

    /// A file the studio made itself (a generated image or video): stored straight into assets, ready.
    /// A stored result. Idempotent by `id`: a job that runs again with the same id gets the same row back.
    public func createReady(
        id: UUID, userID: UUID, type: FileType, key: String, bytes: Int64, name: String, thumbnailID: UUID? = nil
    ) async throws -> StoredFile {
        var fields = ["name": name, "type": type.rawValue]
        if let thumbnailID { fields["thumbnail_file_id"] = thumbnailID.uuidString.lowercased() }
        let meta = String(decoding: try JSONEncoder.studio.encode(fields), as: UTF8.self)
        let rows = try await client.query(
            """
            INSERT INTO files (id, user_id, kind, s3_key, bytes, content_type, status, meta_json)
            VALUES (\(id), \(userID), \(type.kind), \(key), \(bytes), \(type.contentType), 'ready', \(meta)::jsonb)
            ON CONFLICT (id) DO UPDATE SET bytes = EXCLUDED.bytes
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let file = try await Self.first(rows) else { throw AppError.internalError }
        return file
    }

    /// Names `thumbnailID` as the file's preview.
    public func setThumbnail(id: UUID, thumbnailID: UUID) async throws {
        try await client.query(
            """
            UPDATE files SET meta_json = meta_json || jsonb_build_object('thumbnail_file_id', \(thumbnailID.uuidString.lowercased()))
            WHERE id = \(id)
            """, logger: logger)
    }

    /// The file if `userID` owns it and it is not deleted.
    /// The user's file, checked and promoted: 404 when it is missing or someone else's, 409
    /// `file_not_ready` while it is still being checked or after it was rejected.
    public func ready(id: UUID?, userID: UUID) async throws -> StoredFile {
        guard let id, let file = try await find(id: id, userID: userID) else { throw AppError.notFound }
        guard file.status == .ready else { throw AppError.fileNotReady(file.status) }
        return file
    }

    public func find(id: UUID, userID: UUID) async throws -> StoredFile? {
        try await Self.first(
            client.query(
                """
                SELECT \(unescaped: Self.columns) FROM files
                WHERE id = \(id) AND user_id = \(userID) AND status <> 'deleted'
                """, logger: logger))
    }

    /// For the scanner and other system work: no owner check.
    public func find(id: UUID) async throws -> StoredFile? {
        try await Self.first(
            client.query("SELECT \(unescaped: Self.columns) FROM files WHERE id = \(id)", logger: logger))
    }

    public func list(userID: UUID, limit: Int = 100) async throws -> [StoredFile] {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.columns) FROM files
            WHERE user_id = \(userID) AND status <> 'deleted' ORDER BY created_at DESC LIMIT \(limit)
            """, logger: logger)
        var files: [StoredFile] = []
        for try await row in rows.decode(Row.self) { files.append(Self.file(row)) }
        return files
    }

    /// Quarantined → ready under its asset key; false if it was not quarantined any more.
    public func markReady(id: UUID, key: String) async throws -> Bool {
        try await update(
            """
            UPDATE files SET status = 'ready', s3_key = \(key) WHERE id = \(id) AND status = 'quarantined' RETURNING id
            """)
    }

    public func markRejected(id: UUID, reason: String) async throws -> Bool {
        try await update(
            """
            UPDATE files SET status = 'rejected', meta_json = meta_json || jsonb_build_object('reject_reason', \(reason)::text)
            WHERE id = \(id) AND status = 'quarantined' RETURNING id
            """)
    }

    public func markDeleted(id: UUID, userID: UUID) async throws -> Bool {
        try await update(
            """
            UPDATE files SET status = 'deleted' WHERE id = \(id) AND user_id = \(userID) AND status <> 'deleted' RETURNING id
            """)
    }

    private func update(_ query: PostgresQuery) async throws -> Bool {
        for try await _ in try await client.query(query, logger: logger).decode(UUID.self) { return true }
        return false
    }

    typealias Row = (UUID, UUID, String, String, Int64, String, String, Date, String, String?, String?, String?)

    private static func file(_ row: Row) -> StoredFile {
        StoredFile(
            id: row.0, userID: row.1, kind: row.2, key: row.3, bytes: row.4, contentType: row.5,
            status: StoredFile.Status(rawValue: row.6) ?? .rejected, createdAt: row.7, name: row.8,
            type: row.9.flatMap(FileType.init(rawValue:)), rejectReason: row.10,
            thumbnailID: row.11.flatMap(UUID.init(uuidString:)))
    }

    private static func first(_ rows: PostgresRowSequence) async throws -> StoredFile? {
        for try await row in rows.decode(Row.self) { return file(row) }
        return nil
    }
}
