import Core
import Foundation
import Hummingbird

/// Background work a user started from the backend: `POST /v1/files/{id}/convert` (DOCX/PPTX → PDF by the
/// worker), `/edit` (video trim and captions), `/extract` (a document's text, read once) and
/// `GET /v1/jobs/{id}` to follow it to its result.
struct JobRoutes {
    let jobs: JobRepository
    let files: FileRepository
    let texts: FileTextRepository
    let queue: JobQueue

    /// A document's text as read by the worker.
    struct TextView: ResponseEncodable {
        let fileID: String
        let pages: Int
        let ocrPages: [Int]
        let chars: Int
        let text: String

        enum CodingKeys: String, CodingKey {
            case pages, chars, text
            case fileID = "file_id"
            case ocrPages = "ocr_pages"
        }

        init(_ text: FileText) {
            fileID = text.fileID.uuidString.lowercased()
            pages = text.pages.count
            ocrPages = text.ocrPages
            chars = text.chars
            self.text = text.text
        }
    }

    struct ConvertRequest: Decodable { let to: String? }

    struct EditRequest: Decodable {
        let start: Double?
        let end: Double?
        let captions: [JobPayloads.VideoEdit.Caption]?
        /// Captions as a SubRip file's text, instead of `captions`.
        let srt: String?
    }

    struct JobView: ResponseEncodable {
        let id: String
        let kind: String
        let status: String
        let error: String?
        let resultFileID: String?
        let createdAt: Date
        enum CodingKeys: String, CodingKey {
            case id, kind, status, error
            case resultFileID = "result_file_id"
            case createdAt = "created_at"
        }

        init(_ job: JobRecord) {
            id = job.id.uuidString.lowercased()
            kind = job.kind.rawValue
            status = job.status.rawValue
            error = job.error
            resultFileID = job.resultFileID?.uuidString.lowercased()
            createdAt = job.createdAt
        }
    }

    struct One: ResponseEncodable { let job: JobView }

    func register(on group: RouterGroup<BackendRequestContext>) {
        group.post("files/:id/convert") { request, context -> Response in
            let user = try context.requireUser()
            let input = try await request.decode(as: ConvertRequest.self, context: context)
            guard (input.to ?? "pdf") == "pdf" else {
                throw AppError.validation(
                    "Files can be converted to pdf only.", "يمكن تحويل الملفات إلى pdf فقط.", field: "to")
            }
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                let file = try await files.find(id: id, userID: user.id)
            else { throw AppError.notFound }
            guard file.status == .ready else { throw AppError.fileNotReady(file.status) }
            guard file.type == .docx || file.type == .pptx else { throw AppError.notConvertible }
            let jobID = UUID()
            let payload = JobPayloads.DocConvert(jobID: jobID, userID: user.id, fileID: file.id)
            let job = try await queue.start(.docConvert, id: jobID, userID: user.id, payload: payload, jobs: jobs)
            var response = try One(job: JobView(job)).response(from: request, context: context)
            response.status = .accepted
            return response
        }
        group.post("files/:id/edit") { request, context -> Response in
            let user = try context.requireUser()
            let input = try await request.decode(as: EditRequest.self, context: context)
            let start = input.start ?? 0
            guard start >= 0, start.isFinite, input.end.map({ $0 > start && $0.isFinite }) ?? true else {
                throw AppError.validation(
                    "start must be 0 or more and end after it.",
                    "يجب أن تكون البداية 0 أو أكثر وأن تأتي النهاية بعدها.",
                    field: "end")
            }
            var captions = input.captions ?? []
            if let srt = input.srt {
                do {
                    captions += try SRT.parse(srt)
                } catch let failure as SRT.Failure {
                    throw AppError.validation(
                        "The SRT text is not valid at line \(failure.line).",
                        "نص SRT غير صالح عند السطر \(failure.line).",
                        field: "srt")
                }
            }
            guard captions.count <= 300,
                captions.allSatisfy({
                    $0.start >= 0 && $0.end > $0.start
                        && !$0.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                        && $0.text.count <= 300
                })
            else {
                throw AppError.validation(
                    "Up to 300 captions, each with text of up to 300 characters and an end after its start.",
                    "حتى 300 تعليق، لكل منها نص حتى 300 حرف ونهاية بعد بدايته.", field: "captions")
            }
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                let file = try await files.find(id: id, userID: user.id)
            else { throw AppError.notFound }
            guard file.status == .ready else { throw AppError.fileNotReady(file.status) }
            guard file.kind == "video" else { throw AppError.notAVideo }
            let jobID = UUID()
            let payload = JobPayloads.VideoEdit(
                jobID: jobID, userID: user.id, fileID: file.id, start: start, end: input.end, captions: captions)
            let job = try await queue.start(.videoEdit, id: jobID, userID: user.id, payload: payload, jobs: jobs)
            var response = try One(job: JobView(job)).response(from: request, context: context)
            response.status = .accepted
            return response
        }
        group.post("files/:id/extract") { request, context -> Response in
            let user = try context.requireUser()
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                let file = try await files.find(id: id, userID: user.id)
            else { throw AppError.notFound }
            guard file.status == .ready else { throw AppError.fileNotReady(file.status) }
            guard let type = file.type, [.pdf, .docx, .txt].contains(type) else { throw AppError.notADocument }
            // Read once: the stored text, or the extraction already under way, or a new one.
            if let text = try await texts.find(fileID: file.id) {
                return try ["text": TextView(text)].response(from: request, context: context)
            }
            let job: JobRecord
            if let running = try await jobs.latest(kind: .docExtract, fileID: file.id, userID: user.id),
                [.queued, .running].contains(running.status)
            {
                job = running
            } else {
                let jobID = UUID()
                job = try await queue.start(
                    .docExtract, id: jobID, userID: user.id,
                    payload: JobPayloads.DocExtract(jobID: jobID, userID: user.id, fileID: file.id), jobs: jobs)
            }
            var response = try One(job: JobView(job)).response(from: request, context: context)
            response.status = .accepted
            return response
        }
        group.get("files/:id/text") { _, context -> [String: TextView] in
            let user = try context.requireUser()
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                let file = try await files.find(id: id, userID: user.id)
            else { throw AppError.notFound }
            guard let text = try await texts.find(fileID: file.id) else { throw AppError.textNotReady }
            return ["text": TextView(text)]
        }
        group.get("jobs/:id") { _, context -> One in
            let user = try context.requireUser()
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                let job = try await jobs.find(id: id), job.userID == user.id
            else { throw AppError.notFound }
            return One(job: JobView(job))
        }
    }
}

extension AppError {
    static let notAVideo = AppError(
        code: "not_a_video", status: .unprocessableContent,
        message: "Only video files can be trimmed and captioned.",
        messageAr: "يمكن قصّ ملفات الفيديو وإضافة التعليقات إليها فقط.")

    static let notConvertible = AppError(
        code: "not_convertible", status: .unprocessableContent,
        message: "Only DOCX and PPTX files can be converted to PDF.",
        messageAr: "يمكن تحويل ملفات DOCX وPPTX فقط إلى PDF.")
}

extension AppError {
    static let notADocument = AppError(
        code: "not_a_document", status: .unprocessableContent,
        message: "Only PDF, Word (DOCX) and text files can be read.",
        messageAr: "يمكن قراءة ملفات PDF وWord (DOCX) والملفات النصية فقط.")

    static let textNotReady = AppError(
        code: "text_not_ready", status: .conflict,
        message: "This file's text has not been read yet. Ask for it to be read first.",
        messageAr: "لم يُقرأ نص هذا الملف بعد. اطلب قراءته أولًا.")
}
