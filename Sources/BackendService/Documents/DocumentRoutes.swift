import Core
import Foundation
import Hummingbird

/// The CV Maker: `POST /v1/cv/generate` writes the DOCX in the request and has the worker make the PDF,
/// waiting a bounded time for it before handing back the job to follow.
struct DocumentRoutes {
    let files: FileRepository
    let jobs: JobRepository
    let queue: JobQueue
    let storage: StorageAreas
    let usage: UsageRepository
    let plans: PlanRepository
    let invoices: InvoiceRepository
    let linkLifetime: Int
    /// How long the request waits for the PDF before answering with its job.
    let pdfWait: Duration
    let gateway: GatewayClient

    struct CVRequest: Decodable {
        let form: CVForm
        let language: CVRenderer.Language
        let style: CVRenderer.Style?
        let formats: [String]?
        /// Ask the AI to tighten the summary and the bullet points first (counted as tokens).
        let polish: Bool?
    }

    struct Output: ResponseEncodable {
        let format: String
        let status: String
        let fileID: String?
        let downloadURL: String?
        let jobID: String?
        enum CodingKeys: String, CodingKey {
            case format, status
            case fileID = "file_id"
            case downloadURL = "download_url"
            case jobID = "job_id"
        }
    }

    struct Outputs: ResponseEncodable {
        let files: [Output]
        /// Set when polish was asked: whether the AI's wording was used (false with the offline demo model).
        var polished: Bool? = nil
    }

    func register(on group: RouterGroup<BackendRequestContext>) {
        group.post("cv/generate", use: generateCV)
        group.post("invoices/:id/pdf", use: invoicePDF)
    }

    @Sendable func generateCV(_ request: Request, context: BackendRequestContext) async throws -> Outputs {
        let user = try context.requireUser()
        let input: CVRequest
        do {
            input = try await request.decode(as: CVRequest.self, context: context)
        } catch let error as AppError {
            throw error
        } catch {
            throw AppError.validation(
                "Send form (with full_name), language (ar or en), and optionally style (ats or gulf) and formats.",
                "أرسل form (مع full_name) وlanguage (ar أو en)، واختياريًا style (ats أو gulf) وformats.",
                field: "form")
        }
        let formats = input.formats ?? ["docx", "pdf"]
        guard !formats.isEmpty, formats.allSatisfy({ ["docx", "pdf"].contains($0) }) else {
            throw AppError.validation(
                "formats may hold docx and pdf.", "يمكن أن يحتوي formats على docx وpdf فقط.", field: "formats")
        }
        var form = try input.form.validated()
        try await requireFeature(.cv, userID: user.id)
        var polished: Bool?
        if input.polish == true {
            (form, polished) = try await polish(form, language: input.language, request: request)
        }

        let style = input.style ?? .ats
        let photo = try await photo(form, style: style, language: input.language, userID: user.id)
        let document = CVRenderer.document(form, language: input.language, style: style, photo: photo)
        let docx = try document.data()
        let baseName = (input.language == .ar ? "السيرة الذاتية - " : "CV - ") + form.fullName
        let stored = try await store(docx, type: .docx, userID: user.id, name: baseName)

        var outputs: [Output] = []
        if formats.contains("docx") { outputs.append(try await ready(stored)) }
        if formats.contains("pdf") {
            outputs.append(try await pdf(of: stored.id, userID: user.id, name: Self.name(baseName, .pdf)))
        }
        return Outputs(files: outputs, polished: polished)
    }

    /// The form's photo: the user's own ready PNG or JPEG, for the Gulf/Jordan style only.
    func photo(_ form: CVForm, style: CVRenderer.Style, language: CVRenderer.Language, userID: UUID) async throws
        -> DocxDocument.Picture?
    {
        guard let id = form.photoFileID else { return nil }
        guard style == .gulf else {
            throw AppError.validation(
                "A photo goes on the Gulf/Jordan style only: ATS-strict CVs leave it out.",
                "الصورة الشخصية لنمط الخليج والأردن فقط: السيرة المتوافقة مع أنظمة التوظيف لا تتضمّنها.",
                field: "photo_file_id")
        }
        let file = try await files.ready(id: id, userID: userID)
        guard file.type == .png || file.type == .jpeg, let data = try await storage.assets.get(key: file.key),
            let picture = DocxDocument.Picture(
                data: data, fittingWidth: CVRenderer.photoWidth, maxHeight: CVRenderer.photoMaxHeight,
                description: (language == .ar ? "صورة " : "Photo of ") + form.fullName)
        else { throw AppError.photoNotUsable }
        return picture
    }

    struct Polished: Decodable {
        struct Job: Decodable { let bullets: [String] }
        let summary: String?
        let experience: [Job]?
    }

    /// The AI's tighter wording of the summary and the bullet points, used only when it keeps the same shape
    /// (one summary, the same number of bullets per job) and passes the form's own checks.
    func polish(_ form: CVForm, language: CVRenderer.Language, request: Request) async throws -> (CVForm, Bool) {
        let jobs = (form.experience ?? []).map { ["title": $0.title, "bullets": $0.bullets ?? []] as [String: Any] }
        let source = try JSONSerialization.data(withJSONObject: [
            "summary": form.summary ?? "", "experience": jobs,
        ])
        let system = """
            You edit CV text for applicant-tracking systems. Keep every fact, number, name and date; add nothing new. \
            Make the summary 2 to 3 sentences and each bullet one line starting with a strong verb. Write in \
            \(language == .ar ? "Modern Standard Arabic" : "English"). Answer with JSON only: \
            {"summary": string, "experience": [{"bullets": [string]}]} with the same number of jobs and of bullets.
            """
        let reply = try await gateway.complete(
            as: request, system: system, prompt: String(decoding: source, as: UTF8.self), maxTokens: 1500)
        guard reply.provider != "demo", let edited = GatewayClient.jsonObject(Polished.self, in: reply.content) else {
            return (form, false)
        }
        var out = form
        if let summary = edited.summary, form.summary != nil { out.summary = summary }
        if var experience = out.experience, let edits = edited.experience, edits.count == experience.count {
            for index in experience.indices where edits[index].bullets.count == (experience[index].bullets ?? []).count
            {
                experience[index].bullets = edits[index].bullets
            }
            out.experience = experience
        }
        guard let checked = try? out.validated() else { return (form, false) }
        return (checked, true)
    }

    /// Queues the PDF, waits up to `pdfWait` for it, and answers with the file or with the job to follow.
    func pdf(of sourceID: UUID, userID: UUID, name: String) async throws -> Output {
        let jobID = UUID()
        let payload = JobPayloads.DocConvert(jobID: jobID, userID: userID, fileID: sourceID)
        _ = try await queue.start(.docConvert, id: jobID, userID: userID, payload: payload, jobs: jobs)
        return try await waitForPDF(jobID: jobID, userID: userID, name: name)
    }

    func waitForPDF(jobID: UUID, userID: UUID, name: String) async throws -> Output {
        let deadline = ContinuousClock.now + pdfWait
        while true {
            if let job = try await jobs.find(id: jobID) {
                if job.status == .done, let resultID = job.resultFileID,
                    let file = try await files.find(id: resultID, userID: userID)
                {
                    return Output(
                        format: "pdf", status: "ready", fileID: resultID.uuidString.lowercased(),
                        downloadURL: try await link(key: file.key, name: name), jobID: jobID.uuidString.lowercased())
                }
                if job.status == .failed || job.status == .canceled {
                    return Output(
                        format: "pdf", status: "failed", fileID: nil, downloadURL: nil,
                        jobID: jobID.uuidString.lowercased())
                }
            }
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return Output(
            format: "pdf", status: "pending", fileID: nil, downloadURL: nil, jobID: jobID.uuidString.lowercased())
    }

    /// `POST /v1/invoices/{id}/pdf`: the invoice as a bilingual Word document (made once), and its PDF from
    /// the worker — the finished one if there is one, else the running job, else a new one.
    @Sendable func invoicePDF(_ request: Request, context: BackendRequestContext) async throws -> Output {
        let user = try context.requireUser()
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let invoice = try await invoices.find(id: id, userID: user.id)
        else { throw AppError.notFound }
        let name = "\(invoice.number).pdf"
        var documentID = invoice.fileID
        if documentID == nil {
            let docx = try InvoiceDocument.document(invoice, email: user.email).data()
            let fileID = UUID()
            let key = "users/\(user.id.uuidString.lowercased())/\(fileID.uuidString.lowercased()).docx"
            try await storage.assets.put(key: key, data: docx, contentType: FileType.docx.contentType)
            _ = try await files.createReady(
                id: fileID, userID: user.id, type: .docx, key: key, bytes: Int64(docx.count),
                name: "\(invoice.number).docx")
            documentID = try await invoices.attachDocument(invoiceID: invoice.id, fileID: fileID)
        }
        guard let documentID else { throw AppError.internalError }
        if let job = try await jobs.latest(kind: .docConvert, fileID: documentID, userID: user.id),
            job.status != .failed, job.status != .canceled
        {
            return try await waitForPDF(jobID: job.id, userID: user.id, name: name)
        }
        return try await pdf(of: documentID, userID: user.id, name: name)
    }

    /// A file name from a title: no path separators or control characters (`FileRoutes.displayName`).
    static func name(_ base: String, _ type: FileType) -> String {
        let flat = base.replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: "\\", with: "-")
        return FileRoutes.displayName(String(flat.prefix(100)) + "." + type.fileExtension, type: type)
    }

    /// Stores a document the user asked for as their file, ready at once.
    func store(_ data: Data, type: FileType, userID: UUID, name base: String) async throws -> StoredFile {
        let id = UUID()
        let key = "users/\(userID.uuidString.lowercased())/\(id.uuidString.lowercased()).\(type.fileExtension)"
        try await storage.assets.put(key: key, data: data, contentType: type.contentType)
        return try await files.createReady(
            id: id, userID: userID, type: type, key: key, bytes: Int64(data.count), name: Self.name(base, type))
    }

    /// A stored file as a ready output with its download link.
    func ready(_ file: StoredFile) async throws -> Output {
        Output(
            format: file.type?.fileExtension ?? "", status: "ready", fileID: file.id.uuidString.lowercased(),
            downloadURL: try await link(key: file.key, name: file.name), jobID: nil)
    }

    func link(key: String, name: String) async throws -> String {
        try await storage.assets.signedDownloadURL(key: key, expiresIn: linkLifetime, fileName: name, now: Date())
            .absoluteString
    }

    /// The feature must be in the user's current plan; otherwise 402 `plan_feature_required` with the upgrade link.
    func requireFeature(_ feature: PlanFeature, userID: UUID) async throws {
        try await PlanGate(usage: usage, plans: plans).require(feature, userID: userID)
    }
}

extension AppError {
    static let photoNotUsable = AppError(
        code: "photo_not_usable", status: .unprocessableContent,
        message: "The photo must be a PNG or JPEG picture.", messageAr: "يجب أن تكون الصورة الشخصية بصيغة PNG أو JPEG.")
}
