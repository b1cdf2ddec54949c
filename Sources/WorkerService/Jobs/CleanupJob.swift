import Core
import Foundation
import Logging
import PostgresNIO

/// `cleanup`: expired sign-in links go, jobs stuck in `running` past the deadline (their worker died and the
/// queue entry is gone) are failed with their quota reservation released, week-old rows of rejected and
/// deleted files are removed, and so is week-old mail in the local outbox (local and test modes).
struct CleanupJob: JobHandler {
    let kind = JobKind.cleanup
    let postgres: PostgresClient
    let settlement: QuotaSettlement
    /// A job running longer than this is stuck.
    let stuckAfter: Duration
    /// The local outbox (`OUTBOX_DIR`) when mail is written there instead of sent; nil on AWS.
    var outbox: URL? = nil
    /// How long outbox mail is kept.
    var outboxKeep: TimeInterval = 7 * 86_400

    struct Report: Codable, Equatable {
        let expiredLinks: Int
        let stuckJobs: Int
        /// Rows of rejected and deleted files older than a week (their bytes went when they were rejected or
        /// deleted).
        var removedFiles = 0
        /// Outbox mail files older than `outboxKeep`.
        var removedMail = 0
    }

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let report = try await run(now: Date(), logger: logger)
        logger.info(
            "cleanup done",
            metadata: [
                "expired_links": "\(report.expiredLinks)", "stuck_jobs": "\(report.stuckJobs)",
                "removed_files": "\(report.removedFiles)", "removed_mail": "\(report.removedMail)",
            ])
    }

    func run(now: Date, logger: Logger) async throws -> Report {
        var links = 0
        let deleted = try await postgres.query(
            "DELETE FROM magic_links WHERE expires_at < \(now.addingTimeInterval(-86_400)) RETURNING id", logger: logger
        )
        for try await _ in deleted.decode(UUID.self) { links += 1 }

        let cutoff = now.addingTimeInterval(-Double(stuckAfter.components.seconds))
        let stuck = try await postgres.query(
            """
            UPDATE jobs SET status = 'failed', error = 'the job stopped while running', updated_at = now()
            WHERE status = 'running' AND updated_at < \(cutoff)
            RETURNING user_id, payload_json::text
            """, logger: logger)
        var jobs = 0
        struct Reserved: Decodable { let reservation: JobPayloads.Reservation? }
        for try await (_, payload) in stuck.decode((UUID?, String).self) {
            jobs += 1
            if let reservation = (try? JSONDecoder.studio.decode(Reserved.self, from: Data(payload.utf8)))?.reservation
            {
                await settlement.release(reservation)
            }
        }
        var removed = 0
        let old = try await postgres.query(
            """
            DELETE FROM files WHERE status IN ('rejected', 'deleted') AND created_at < \(now.addingTimeInterval(-7 * 86_400))
            RETURNING id
            """, logger: logger)
        for try await _ in old.decode(UUID.self) { removed += 1 }
        return Report(
            expiredLinks: links, stuckJobs: jobs, removedFiles: removed,
            removedMail: removeOldMail(before: now.addingTimeInterval(-outboxKeep), logger: logger))
    }

    /// Deletes outbox files (a mail and its notes) last written before `cutoff`.
    func removeOldMail(before cutoff: Date, logger: Logger) -> Int {
        guard let outbox,
            let names = try? FileManager.default.contentsOfDirectory(atPath: outbox.path)
        else { return 0 }
        var removed = 0
        for name in names where name.hasSuffix(".eml") || name.hasSuffix(".json") {
            let file = outbox.appendingPathComponent(name)
            guard
                let written = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.modificationDate]
                    as? Date,
                written < cutoff
            else { continue }
            do {
                try FileManager.default.removeItem(at: file)
                removed += 1
            } catch {
                logger.warning("outbox mail not removed", metadata: ["file": "\(name)", "error": "\(error)"])
            }
        }
        return removed
    }
}
