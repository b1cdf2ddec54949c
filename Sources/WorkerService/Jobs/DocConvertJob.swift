import Core
import Foundation
import Logging

/// `doc_convert`: a user's DOCX or PPTX turned into a PDF by the warm LibreOffice, stored as a new file of theirs
/// (its id fixed by the job, so a re-run stores one file), and the `jobs` row marked done with it.
struct DocConvertJob: JobHandler {
    let kind = JobKind.docConvert
    let jobs: JobRepository
    let files: FileRepository
    let storage: StorageAreas
    let converter: OfficeConverter

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let payload = try job.decodePayload(JobPayloads.DocConvert.self)
        guard try await jobs.markRunning(id: payload.jobID) != nil else {
            logger.info("conversion already finished; nothing to do")
            return
        }
        guard let source = try await files.find(id: payload.fileID, userID: payload.userID), source.status == .ready,
            let type = source.type, [.docx, .pptx].contains(type), payload.target == "pdf"
        else {
            _ = try await jobs.markFailed(id: payload.jobID, reason: "only a ready DOCX or PPTX file can become a PDF")
            return
        }
        guard await converter.isConfigured else {
            _ = try await jobs.markFailed(id: payload.jobID, reason: "PDF conversion is not available on this server")
            return
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("convert-\(payload.jobID.uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        // Distinct names per job: LibreOffice names its output after the input.
        let input = work.appendingPathComponent("source.\(type.fileExtension)")
        let output = work.appendingPathComponent("result.pdf")
        guard let original = try await storage.assets.get(key: source.key) else {
            _ = try await jobs.markFailed(id: payload.jobID, reason: "the original file is no longer stored")
            return
        }
        try original.write(to: input)
        let started = ContinuousClock.now
        try await converter.convert(input, to: output)
        let elapsed = ContinuousClock.now - started
        let data = try Data(contentsOf: output)
        let fileID = UUID(derivedFrom: payload.jobID, "pdf")
        let key = "users/\(payload.userID.uuidString.lowercased())/\(fileID.uuidString.lowercased()).pdf"
        try await storage.assets.put(key: key, data: data, contentType: FileType.pdf.contentType)
        let base = (source.name as NSString).deletingPathExtension
        _ = try await files.createReady(
            id: fileID, userID: payload.userID, type: .pdf, key: key, bytes: Int64(data.count),
            name: (base.isEmpty ? "document" : base) + ".pdf")
        _ = try await jobs.markDone(id: payload.jobID, resultFileID: fileID)
        logger.info(
            "document converted",
            metadata: [
                "file_id": "\(fileID.uuidString.lowercased())", "bytes": "\(data.count)",
                "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
            ])
    }
}
