import Core
import Foundation
import Logging

/// `doc_extract`: reads the text of a user's PDF (poppler per page, tesseract Arabic+English for pages
/// without a text layer), DOCX or TXT once and stores it in `file_texts`, so chat attachments and PDF
/// summaries never read the same file twice. A PDF of more than 50 pages, or a file that is not a
/// document, fails with a reason the page shows.
struct DocExtractJob: JobHandler {
    let kind = JobKind.docExtract
    let jobs: JobRepository
    let files: FileRepository
    let texts: FileTextRepository
    let storage: StorageAreas

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let payload = try job.decodePayload(JobPayloads.DocExtract.self)
        guard try await jobs.markRunning(id: payload.jobID) != nil else {
            logger.info("extraction already finished; nothing to do")
            return
        }
        guard let file = try await files.find(id: payload.fileID, userID: payload.userID), file.status == .ready,
            let type = file.type, [.pdf, .docx, .txt].contains(type)
        else {
            _ = try await jobs.markFailed(id: payload.jobID, reason: "the file is not a PDF, Word or text document")
            return
        }
        if try await texts.find(fileID: file.id) != nil {
            _ = try await jobs.markDone(id: payload.jobID)
            return
        }
        guard let data = try await storage.assets.get(key: file.key) else {
            throw JobFailure.permanent("the file's bytes are missing")
        }
        let started = Date()
        let text: FileText
        do {
            text = try await Self.extract(data, type: type, fileID: file.id)
        } catch let failure as DocumentText.Failure {
            _ = try await jobs.markFailed(id: payload.jobID, reason: failure.description)
            return
        }
        try await texts.store(text)
        _ = try await jobs.markDone(id: payload.jobID)
        logger.info(
            "document text extracted",
            metadata: [
                "file_id": "\(file.id.uuidString.lowercased())", "pages": "\(text.pages.count)",
                "ocr_pages": "\(text.ocrPages.count)", "chars": "\(text.chars)",
                "ms": "\(Int(Date().timeIntervalSince(started) * 1000))",
            ])
    }

    static func extract(_ data: Data, type: FileType, fileID: UUID) async throws -> FileText {
        switch type {
        case .pdf:
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("extract-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            let input = work.appendingPathComponent("input.pdf")
            try data.write(to: input)
            let (pages, ocr) = try await DocumentText.pdf(input, work: work)
            return FileText(fileID: fileID, pages: pages, ocrPages: ocr)
        case .docx:
            return FileText(fileID: fileID, pages: [try DocumentText.docx(data)], ocrPages: [])
        default:
            return FileText(fileID: fileID, pages: [DocumentText.plain(data)], ocrPages: [])
        }
    }
}
