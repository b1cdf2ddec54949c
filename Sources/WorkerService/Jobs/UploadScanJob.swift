import Core
import Foundation
import Logging

/// `upload_scan`: checks a quarantined upload (type by magic bytes, size, images and videos decoded by ffprobe)
/// and promotes or rejects it; a promoted image or video gets a `thumbnail` job.
struct UploadScanJob: JobHandler {
    let kind = JobKind.uploadScan
    let scanner: UploadScanner
    let files: FileRepository
    let queue: JobQueue

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let payload = try job.decodePayload(JobPayloads.UploadScan.self)
        let status = try await scanner.scan(fileID: payload.fileID)
        logger.info("upload scanned", metadata: ["file_id": "\(payload.fileID)", "status": "\(status.rawValue)"])
        if status == .ready, let file = try await files.find(id: payload.fileID),
            file.kind == "image" || file.kind == "video", file.thumbnailID == nil
        {
            try await queue.enqueue(
                .thumbnail, payload: JobPayloads.Thumbnail(fileID: file.id),
                id: "thumbnail-\(file.id.uuidString.lowercased())")
        }
    }
}
