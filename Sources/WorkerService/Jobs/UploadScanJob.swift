import Core
import Foundation
import Logging

/// `upload_scan`: checks a quarantined upload and promotes or rejects it.
struct UploadScanJob: JobHandler {
    let kind = JobKind.uploadScan
    let scanner: UploadScanner

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let payload = try job.decodePayload(JobPayloads.UploadScan.self)
        let status = try await scanner.scan(fileID: payload.fileID)
        logger.info("upload scanned", metadata: ["file_id": "\(payload.fileID)", "status": "\(status.rawValue)"])
    }
}
