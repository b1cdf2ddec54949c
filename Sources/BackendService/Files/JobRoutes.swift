import Core
import Foundation
import Hummingbird

/// Background work a user started from the backend: `POST /v1/files/{id}/convert` (DOCX/PPTX → PDF by the
/// worker), `/edit` (video trim and captions; with the Creator plan's advanced editor also caption styles,
/// joined clips and fades), `/image-edit` (the advanced image editor), `/extract` (a document's text, read
/// once) and `GET /v1/jobs/{id}` to follow it to its result.
struct JobRoutes {
    let jobs: JobRepository
    let files: FileRepository
    let texts: FileTextRepository
    let queue: JobQueue
    let gate: PlanGate

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
        /// The advanced editor (Creator plan).
        let captionStyle: EditOptions.CaptionStyle?
        let join: [UUID]?
        let fadeIn: Double?
        let fadeOut: Double?

        enum CodingKeys: String, CodingKey {
            case start, end, captions, srt, join
            case captionStyle = "caption_style"
            case fadeIn = "fade_in"
            case fadeOut = "fade_out"
        }

        var isAdvanced: Bool {
            captionStyle != nil || !(join ?? []).isEmpty || (fadeIn ?? 0) > 0 || (fadeOut ?? 0) > 0
        }
    }

    struct ImageEditRequest: Decodable {
        let brightness: Double?
        let contrast: Double?
        let saturation: Double?
        let layers: [EditOptions.TextLayer]?
        /// Read as text so an unknown name gets an error that lists the known ones.
        let preset: String?
        let fit: String?
        let background: String?
        let format: String?
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

    /// The `{id}` of the path.
    static func pathID(_ context: BackendRequestContext) -> UUID? {
        context.parameters.get("id").flatMap(UUID.init(uuidString:))
    }

    /// 202 with the job to follow at `GET /v1/jobs/{id}`.
    static func accepted(_ job: JobRecord, request: Request, context: BackendRequestContext) throws -> Response {
        var response = try One(job: JobView(job)).response(from: request, context: context)
        response.status = .accepted
        return response
    }

    func register(on group: RouterGroup<BackendRequestContext>) {
        group.post("files/:id/convert") { request, context -> Response in
            let user = try context.requireUser()
            let input = try await request.decode(as: ConvertRequest.self, context: context)
            guard (input.to ?? "pdf") == "pdf" else {
                throw AppError.validation(
                    "Files can be converted to pdf only.", "يمكن تحويل الملفات إلى pdf فقط.", field: "to")
            }
            let file = try await files.ready(id: Self.pathID(context), userID: user.id)
            guard file.type == .docx || file.type == .pptx else { throw AppError.notConvertible }
            let jobID = UUID()
            let payload = JobPayloads.DocConvert(jobID: jobID, userID: user.id, fileID: file.id)
            let job = try await queue.start(.docConvert, id: jobID, userID: user.id, payload: payload, jobs: jobs)
            return try Self.accepted(job, request: request, context: context)
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
            try input.captionStyle?.validate()
            let join = input.join ?? []
            guard join.count <= 5, Set(join).count == join.count else {
                throw AppError.validation(
                    "Up to 5 different clips can be joined.", "يمكن دمج حتى 5 مقاطع مختلفة.", field: "join")
            }
            for fade in [input.fadeIn, input.fadeOut].compactMap({ $0 }) {
                guard fade.isFinite, (0...5).contains(fade) else {
                    throw AppError.validation(
                        "A fade lasts 0 to 5 seconds.", "يستمر التلاشي من 0 إلى 5 ثوانٍ.", field: "fade_in")
                }
            }
            let file = try await files.ready(id: Self.pathID(context), userID: user.id)
            guard file.kind == "video" else { throw AppError.notAVideo }
            if input.isAdvanced { try await gate.require(.advancedEditors, userID: user.id) }
            for clipID in join {
                guard clipID != file.id else {
                    throw AppError.validation(
                        "A clip cannot be joined to itself.", "لا يمكن دمج المقطع مع نفسه.", field: "join")
                }
                guard try await files.ready(id: clipID, userID: user.id).kind == "video" else {
                    throw AppError.notAVideo
                }
            }
            let jobID = UUID()
            let payload = JobPayloads.VideoEdit(
                jobID: jobID, userID: user.id, fileID: file.id, start: start, end: input.end, captions: captions,
                style: input.captionStyle, join: join.isEmpty ? nil : join, fadeIn: input.fadeIn,
                fadeOut: input.fadeOut)
            let job = try await queue.start(.videoEdit, id: jobID, userID: user.id, payload: payload, jobs: jobs)
            return try Self.accepted(job, request: request, context: context)
        }
        group.post("files/:id/image-edit") { request, context -> Response in
            let user = try context.requireUser()
            let input = try await request.decode(as: ImageEditRequest.self, context: context)
            let adjustments = [input.brightness, input.contrast, input.saturation].map { $0 ?? 0 }
            guard adjustments.allSatisfy({ $0.isFinite && (-100...100).contains($0) }) else {
                throw AppError.validation(
                    "Brightness, contrast and saturation go from -100 to 100.",
                    "السطوع والتباين والتشبّع من ‎-100 إلى 100.", field: "brightness")
            }
            let layers = input.layers ?? []
            guard layers.count <= 10 else {
                throw AppError.validation("Up to 10 text layers.", "حتى 10 طبقات نص.", field: "layers")
            }
            for layer in layers { try layer.validate() }
            let background = input.background ?? "#000000"
            guard EditOptions.isColor(background) else {
                throw AppError.validation(
                    "The background colour is #rrggbb.", "لون الخلفية بالشكل ‎#rrggbb.", field: "background")
            }
            let format: FileType
            switch input.format ?? "png" {
            case "png": format = .png
            case "jpeg", "jpg": format = .jpeg
            default:
                throw AppError.validation(
                    "The format is png or jpeg.", "الصيغة png أو jpeg.", field: "format")
            }
            let preset = try input.preset.map { name in
                guard let preset = EditOptions.Preset(rawValue: name) else {
                    let known = EditOptions.Preset.allCases.map(\.rawValue).joined(separator: ", ")
                    throw AppError.validation(
                        "Unknown size \(name): use one of \(known).",
                        "مقاس غير معروف: \(name). المقاسات المتاحة: \(known).",
                        field: "preset")
                }
                return preset
            }
            guard let fit = EditOptions.Fit(rawValue: input.fit ?? "cover") else {
                throw AppError.validation(
                    "fit is cover or contain.", "قيمة fit هي cover أو contain.", field: "fit")
            }
            guard preset != nil || !layers.isEmpty || adjustments.contains(where: { $0 != 0 }) else {
                throw AppError.validation(
                    "Choose a size, a colour change or a text layer.", "اختر مقاسًا أو تعديل ألوان أو طبقة نص.",
                    field: "layers")
            }
            let file = try await files.ready(id: Self.pathID(context), userID: user.id)
            guard file.kind == "image" else { throw AppError.notAnImage }
            try await gate.require(.advancedEditors, userID: user.id)
            let jobID = UUID()
            let payload = JobPayloads.ImageEdit(
                jobID: jobID, userID: user.id, fileID: file.id, brightness: adjustments[0], contrast: adjustments[1],
                saturation: adjustments[2], layers: layers, preset: preset, fit: fit,
                background: background, format: format)
            let job = try await queue.start(.imageEdit, id: jobID, userID: user.id, payload: payload, jobs: jobs)
            return try Self.accepted(job, request: request, context: context)
        }
        group.post("files/:id/extract") { request, context -> Response in
            let user = try context.requireUser()
            let file = try await files.ready(id: Self.pathID(context), userID: user.id)
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
            return try Self.accepted(job, request: request, context: context)
        }
        group.get("files/:id/text") { _, context -> [String: TextView] in
            let user = try context.requireUser()
            guard let id = Self.pathID(context),
                let file = try await files.find(id: id, userID: user.id)
            else { throw AppError.notFound }
            guard let text = try await texts.find(fileID: file.id) else { throw AppError.textNotReady }
            return ["text": TextView(text)]
        }
        group.get("jobs/:id") { _, context -> One in
            let user = try context.requireUser()
            guard let id = Self.pathID(context),
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

    static let notAnImage = AppError(
        code: "not_an_image", status: .unprocessableContent,
        message: "Only pictures (PNG, JPEG, WebP) can be edited here.",
        messageAr: "يمكن تحرير الصور فقط هنا (PNG وJPEG وWebP).")

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
