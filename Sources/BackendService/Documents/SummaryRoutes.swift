import Core
import Foundation
import Hummingbird
import NIOCore

/// PDF summaries (Pro and Creator): the text the worker read from the user's document is summarised by
/// the AI through the gateway (metered as tokens) — part by part for long documents, then combined
/// (map-reduce) — and streamed to the page as progress events and the structured result; the summary
/// downloads as DOCX (in the request) and PDF (by the worker).
struct SummaryRoutes {
    let documents: DocumentRoutes
    let gateway: GatewayClient
    let texts: FileTextRepository
    let files: FileRepository

    /// Characters per part sent to the model: about 3,000–6,000 tokens, under every plan's input cap.
    static let partSize = 12_000

    struct Summary: Codable, Sendable, Equatable {
        struct Section: Codable, Sendable, Equatable {
            var heading: String
            var points: [String]
        }

        var title: String
        var overview: String
        var keyPoints: [String]
        var sections: [Section]
        var actionItems: [String]

        enum CodingKeys: String, CodingKey {
            case title, overview, sections
            case keyPoints = "key_points"
            case actionItems = "action_items"
        }
    }

    struct SummaryRequest: Decodable {
        let fileID: UUID
        let language: CVRenderer.Language
        enum CodingKeys: String, CodingKey {
            case language
            case fileID = "file_id"
        }
    }

    struct ExportRequest: Decodable {
        let summary: Summary
        let language: CVRenderer.Language
        let formats: [String]?
    }

    func register(on group: RouterGroup<BackendRequestContext>) {
        group.post("documents/summary", use: summarise)
        group.post("documents/summary/export", use: export)
    }

    /// The text split at page boundaries into parts of at most `partSize` characters (a longer page is cut
    /// at paragraph, then line boundaries).
    static func parts(of pages: [String], size: Int = partSize) -> [String] {
        var parts: [String] = []
        var current = ""
        func flush() {
            if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { parts.append(current) }
            current = ""
        }
        for page in pages {
            var pieces = [page]
            if page.count > size {
                pieces = []
                var piece = ""
                for line in page.split(separator: "\n", omittingEmptySubsequences: false) {
                    if piece.count + line.count + 1 > size, !piece.isEmpty {
                        pieces.append(piece)
                        piece = ""
                    }
                    piece += (piece.isEmpty ? "" : "\n") + String(line.prefix(size))
                }
                pieces.append(piece)
            }
            for piece in pieces {
                if current.count + piece.count + 2 > size { flush() }
                current += (current.isEmpty ? "" : "\n\n") + piece
            }
        }
        flush()
        return parts
    }

    @Sendable func summarise(_ request: Request, context: BackendRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let input: SummaryRequest
        do {
            input = try await request.decode(as: SummaryRequest.self, context: context)
        } catch {
            throw AppError.validation(
                "Send file_id and language (ar or en).", "أرسل file_id وlanguage (ar أو en).", field: "file_id")
        }
        try await documents.requireFeature(.pdfSummary, userID: user.id)
        guard let file = try await files.find(id: input.fileID, userID: user.id) else { throw AppError.notFound }
        guard let text = try await texts.find(fileID: file.id) else { throw AppError.textNotReady }
        let parts = Self.parts(of: text.pages)
        guard !parts.isEmpty else { throw AppError.nothingToSummarise }
        let language = input.language
        let gateway = self.gateway
        let name = file.name
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                func send(_ event: String, _ object: Any) async throws {
                    let json = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
                    try await writer.write(ByteBuffer(string: "event: \(event)\ndata: \(json)\n\n"))
                }
                do {
                    var notes: [String] = []
                    var demo = false
                    if parts.count > 1 {
                        for (index, part) in parts.enumerated() {
                            try await send("progress", ["step": "part", "part": index + 1, "of": parts.count])
                            let reply = try await gateway.complete(
                                as: request, system: Self.partSystem(language), prompt: part, maxTokens: 800)
                            demo = demo || reply.provider == "demo"
                            notes.append(reply.content)
                        }
                    }
                    try await send("progress", ["step": "combine", "part": parts.count, "of": parts.count])
                    let source = parts.count > 1 ? notes.joined(separator: "\n\n") : parts[0]
                    let reply = try await gateway.complete(
                        as: request, system: Self.finalSystem(language, fromNotes: parts.count > 1), prompt: source,
                        maxTokens: 1500)
                    demo = demo || reply.provider == "demo"
                    var summary: Summary
                    var origin = "ai"
                    if !demo, let parsed = GatewayClient.jsonObject(Summary.self, in: reply.content),
                        Self.usable(parsed)
                    {
                        summary = parsed
                    } else {
                        // The offline demo model (or an answer that is not the asked JSON): the document's own
                        // sentences, chosen without AI, and labelled as such.
                        summary = Self.extractive(text.pages, title: name, language: language)
                        origin = "extract"
                    }
                    summary.keyPoints = Array(summary.keyPoints.prefix(12))
                    let encoded = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(summary))
                    try await send(
                        "summary",
                        [
                            "summary": encoded, "source": origin, "model": reply.model, "parts": parts.count,
                            "pages": text.pages.count, "ocr_pages": text.ocrPages,
                        ] as [String: Any])
                    try await send("done", ["ok": true])
                } catch let error as AppError {
                    try await send(
                        "error",
                        ["error": ["code": error.code, "message": error.message, "message_ar": error.messageAr]])
                }
                try await writer.finish(nil)
            })
    }

    static func languageName(_ language: CVRenderer.Language) -> String {
        language == .ar ? "Modern Standard Arabic" : "English"
    }

    static func partSystem(_ language: CVRenderer.Language) -> String {
        """
        You take notes on one part of a longer document. Answer in \(languageName(language)) with 5 to 10 short \
        bullet points: the facts, figures, decisions and tasks in this part. No introduction.
        """
    }

    static func finalSystem(_ language: CVRenderer.Language, fromNotes: Bool) -> String {
        """
        You summarise \(fromNotes ? "the notes taken on the parts of a document" : "a document"). Answer with JSON \
        only, no prose: {"title": string, "overview": string (2 to 4 sentences), "key_points": [string] (3 to 10), \
        "sections": [{"heading": string, "points": [string]}] (the document's main parts), "action_items": \
        [string] (tasks or next steps it asks for; [] if none)}. Write in \(languageName(language)).
        """
    }

    static func usable(_ summary: Summary) -> Bool {
        !summary.title.isEmpty && !summary.overview.isEmpty && !summary.keyPoints.isEmpty
    }

    /// A summary without a model: the first line as the title, the first sentences of the document as the
    /// overview, the first sentence of each page as key points and each page's opening as its section.
    static func extractive(_ pages: [String], title: String, language: CVRenderer.Language) -> Summary {
        func sentences(_ text: String) -> [String] {
            text.replacingOccurrences(of: "\n", with: " ")
                .split(whereSeparator: { ".!?؟۔".contains($0) })
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.count >= 8 }
        }
        let all = pages.flatMap(sentences)
        let firstLine =
            pages.first?.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
        let ar = language == .ar
        return Summary(
            title: String((firstLine ?? title).prefix(120)),
            overview: all.prefix(2).joined(separator: ". ") + (all.isEmpty ? "" : "."),
            keyPoints: pages.compactMap { sentences($0).first }.prefix(8).map { String($0.prefix(300)) },
            sections: pages.enumerated().prefix(10).map { index, page in
                Summary.Section(
                    heading: ar ? "الصفحة \(index + 1)" : "Page \(index + 1)",
                    points: sentences(page).prefix(2).map { String($0.prefix(300)) })
            },
            actionItems: [])
    }

    @Sendable func export(_ request: Request, context: BackendRequestContext) async throws -> DocumentRoutes.Outputs {
        let user = try context.requireUser()
        let input: ExportRequest
        do {
            input = try await request.decode(as: ExportRequest.self, context: context)
        } catch {
            throw AppError.validation(
                "Send summary (title, overview, key_points, sections, action_items) and language (ar or en).",
                "أرسل summary (العنوان والنظرة العامة والنقاط والأقسام والمهام) وlanguage (ar أو en).", field: "summary"
            )
        }
        let formats = input.formats ?? ["docx", "pdf"]
        guard !formats.isEmpty, formats.allSatisfy({ ["docx", "pdf"].contains($0) }) else {
            throw AppError.validation(
                "formats may hold docx and pdf.", "يمكن أن يحتوي formats على docx وpdf فقط.", field: "formats")
        }
        try await documents.requireFeature(.pdfSummary, userID: user.id)
        let summary = try Self.validated(input.summary)
        let stored = try await documents.store(
            try Self.document(summary, language: input.language).data(), type: .docx, userID: user.id,
            name: summary.title)
        var outputs: [DocumentRoutes.Output] = []
        if formats.contains("docx") { outputs.append(try await documents.ready(stored)) }
        if formats.contains("pdf") {
            outputs.append(
                try await documents.pdf(
                    of: stored.id, userID: user.id, name: DocumentRoutes.name(summary.title, .pdf)))
        }
        return DocumentRoutes.Outputs(files: outputs)
    }

    static func validated(_ summary: Summary) throws -> Summary {
        func line(_ text: String, _ field: String, max: Int, required: Bool = false) throws -> String {
            try FormText.clean(text, field: field, max: max, required: required) ?? ""
        }
        func list(_ items: [String], _ field: String, max: Int) throws -> [String] {
            guard items.count <= max else {
                throw AppError.validation(
                    "\(field) has more than \(max) items.", "يحتوي \(field) على أكثر من \(max) عنصرًا.", field: field)
            }
            return try items.map { try line($0, field, max: 600) }.filter { !$0.isEmpty }
        }
        return Summary(
            title: try line(summary.title, "summary.title", max: 200, required: true),
            overview: try line(summary.overview, "summary.overview", max: 3000),
            keyPoints: try list(summary.keyPoints, "summary.key_points", max: 20),
            sections: try summary.sections.prefix(30).map {
                Summary.Section(
                    heading: try line($0.heading, "summary.sections.heading", max: 200),
                    points: try list($0.points, "summary.sections.points", max: 20))
            },
            actionItems: try list(summary.actionItems, "summary.action_items", max: 20))
    }

    /// The summary as a Word document in the summary's language and direction.
    static func document(_ summary: Summary, language: CVRenderer.Language) -> DocxDocument {
        let ar = language == .ar
        var blocks: [DocxDocument.Block] = [.title(summary.title)]
        if !summary.overview.isEmpty { blocks.append(.paragraph([.init(summary.overview)])) }
        if !summary.keyPoints.isEmpty {
            blocks.append(.heading(ar ? "أهم النقاط" : "Key points", level: 1))
            blocks += summary.keyPoints.map { .bullet([.init($0)]) }
        }
        for section in summary.sections where !section.points.isEmpty {
            blocks.append(.heading(section.heading, level: 2))
            blocks += section.points.map { .bullet([.init($0)]) }
        }
        if !summary.actionItems.isEmpty {
            blocks.append(.heading(ar ? "المهام المطلوبة" : "Action items", level: 1))
            blocks += summary.actionItems.map { .bullet([.init($0)]) }
        }
        return DocxDocument(
            title: summary.title, language: ar ? "ar-JO" : "en-US", direction: ar ? .rightToLeft : .leftToRight,
            blocks: blocks)
    }
}

extension AppError {
    static let nothingToSummarise = AppError(
        code: "nothing_to_summarise", status: .unprocessableContent,
        message: "No text was found in this document.", messageAr: "لم يُعثر على نص في هذا المستند.")
}
