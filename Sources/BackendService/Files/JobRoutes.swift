import Core
import Foundation
import Hummingbird

/// Background work a user started from the backend: `POST /v1/files/{id}/convert` (DOCX/PPTX → PDF by the
/// worker) and `GET /v1/jobs/{id}` to follow it to its result file.
struct JobRoutes {
    let jobs: JobRepository
    let files: FileRepository
    let queue: JobQueue

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
