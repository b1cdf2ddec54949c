import Foundation
import Logging
import PostgresNIO

/// The authoritative state of a background job, as the UI shows it.
public struct JobRecord: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case queued, running, done, failed, canceled }
    public let id: UUID
    public let userID: UUID?
    public let kind: JobKind
    public let status: Status
    public let attempts: Int
    public let error: String?
    public let payloadJSON: String
    public let resultFileID: UUID?
    public let createdAt: Date
}

/// Rows of `jobs`. Status moves queued → running → done | failed | canceled; a finished job never moves again.
public struct JobRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func create(id: UUID = UUID(), kind: JobKind, userID: UUID?, payloadJSON: String) async throws -> JobRecord {
        let rows = try await client.query(
            """
            INSERT INTO jobs (id, kind, user_id, payload_json)
            VALUES (\(id), \(kind.rawValue), \(userID), \(payloadJSON)::jsonb)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let job = try await Self.first(rows) else { throw AppError.internalError }
        return job
    }

    public func find(id: UUID) async throws -> JobRecord? {
        try await Self.first(
            client.query("SELECT \(unescaped: Self.columns) FROM jobs WHERE id = \(id)", logger: logger))
    }

    /// Marks a queued (or re-delivered running) job as running and counts the attempt.
    /// Returns nil if the job has already finished, so a redelivered entry is not run twice.
    public func markRunning(id: UUID) async throws -> JobRecord? {
        try await Self.first(
            client.query(
                """
                UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = now()
                WHERE id = \(id) AND status IN ('queued', 'running')
                RETURNING \(unescaped: Self.columns)
                """, logger: logger))
    }

    /// Moves a running job to done; false if it was not running.
    public func markDone(id: UUID, resultFileID: UUID? = nil) async throws -> Bool {
        try await finish(id: id, status: .done, error: nil, resultFileID: resultFileID)
    }

    /// Moves an unfinished job to failed with a reason a user can read.
    public func markFailed(id: UUID, reason: String) async throws -> Bool {
        try await finish(id: id, status: .failed, error: reason, resultFileID: nil)
    }

    /// Puts a running job back to queued after a failed attempt that will be retried.
    public func markRetrying(id: UUID, reason: String) async throws {
        try await client.query(
            """
            UPDATE jobs SET status = 'queued', error = \(reason), updated_at = now()
            WHERE id = \(id) AND status = 'running'
            """, logger: logger)
    }

    private func finish(id: UUID, status: JobRecord.Status, error: String?, resultFileID: UUID?) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE jobs SET status = \(status.rawValue), error = \(error),
                result_file_id = COALESCE(\(resultFileID), result_file_id), updated_at = now()
            WHERE id = \(id) AND status IN ('queued', 'running')
            RETURNING id
            """, logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    static let columns = "id, user_id, kind, status, attempts, error, payload_json::text, result_file_id, created_at"

    private static func first(_ rows: PostgresRowSequence) async throws -> JobRecord? {
        try await all(rows).first
    }

    private static func all(_ rows: PostgresRowSequence) async throws -> [JobRecord] {
        var found: [JobRecord] = []
        for try await (id, userID, kind, status, attempts, error, payload, result, created) in rows.decode(
            (UUID, UUID?, String, String, Int, String?, String, UUID?, Date).self)
        {
            guard let kind = JobKind(rawValue: kind), let status = JobRecord.Status(rawValue: status) else {
                throw AppError.internalError
            }
            found.append(
                JobRecord(
                    id: id, userID: userID, kind: kind, status: status, attempts: attempts, error: error,
                    payloadJSON: payload, resultFileID: result, createdAt: created))
        }
        return found
    }

    /// The newest job of `kind` whose payload names `fileID` (e.g. the PDF conversion of a document).
    public func latest(kind: JobKind, fileID: UUID, userID: UUID) async throws -> JobRecord? {
        try await Self.first(
            client.query(
                """
                SELECT \(unescaped: Self.columns) FROM jobs
                WHERE kind = \(kind.rawValue) AND user_id = \(userID)
                  AND lower(payload_json ->> 'file_id') = \(fileID.uuidString.lowercased())
                ORDER BY created_at DESC LIMIT 1
                """, logger: logger))
    }

    /// The user's newest jobs of the given kinds (the video page's queue panel).
    public func recent(userID: UUID, kinds: [JobKind], limit: Int) async throws -> [JobRecord] {
        let names = kinds.map(\.rawValue)
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.columns) FROM jobs
            WHERE user_id = \(userID) AND kind = ANY(\(names))
            ORDER BY created_at DESC LIMIT \(limit)
            """, logger: logger)
        return try await Self.all(rows)
    }

    /// Cancels a queued or running job; false when it had already finished.
    public func markCanceled(id: UUID, reason: String) async throws -> Bool {
        try await finish(id: id, status: .canceled, error: reason, resultFileID: nil)
    }

    /// Puts a failed or canceled job back to queued (an operator's retry); false for any other state.
    public func requeue(id: UUID) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE jobs SET status = 'queued', error = NULL, updated_at = now()
            WHERE id = \(id) AND status IN ('failed', 'canceled')
            RETURNING id
            """, logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// The newest jobs, optionally of one status and one kind (operators' listing).
    public func list(status: JobRecord.Status?, kind: JobKind?, limit: Int) async throws -> [JobRecord] {
        try await Self.all(
            client.query(
                """
                SELECT \(unescaped: Self.columns) FROM jobs
                WHERE (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
                  AND (\(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue))
                ORDER BY created_at DESC LIMIT \(limit)
                """, logger: logger))
    }
}
