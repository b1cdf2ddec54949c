import Core
import Foundation
import Hummingbird

/// The Slide Maker (Pro and Creator plans): an editable outline written by the AI through the gateway
/// (metered as tokens), and the deck as PPTX (in the request) and PDF (by the worker).
struct SlideRoutes {
    let documents: DocumentRoutes
    let gateway: GatewayClient

    struct Outline: Codable, Sendable {
        var title: String
        var subtitle: String?
        var slides: [PptxDocument.Slide]
    }

    struct OutlineRequest: Decodable {
        let topic: String
        let audience: String?
        let slideCount: Int
        let language: CVRenderer.Language
        let points: [String]?
        enum CodingKeys: String, CodingKey {
            case topic, audience, language, points
            case slideCount = "slide_count"
        }
    }

    struct OutlineResponse: ResponseEncodable {
        let outline: Outline
        /// `ai` when a model wrote it; `template` when the gateway had only its offline demo model.
        let source: String
        let model: String?
    }

    struct GenerateRequest: Decodable {
        let outline: Outline
        let language: CVRenderer.Language
        let theme: PptxDocument.Theme?
        let formats: [String]?
    }

    func register(on group: RouterGroup<BackendRequestContext>) {
        group.post("slides/outline", use: outline)
        group.post("slides/generate", use: generate)
    }

    static func validateCount(_ count: Int) throws {
        guard (3...20).contains(count) else {
            throw AppError.validation(
                "A deck has 3 to 20 slides.", "يتكوّن العرض من 3 إلى 20 شريحة.", field: "slide_count")
        }
    }

    static func clean(_ text: String?, _ field: String, max: Int, required: Bool = false) throws -> String? {
        try FormText.clean(text, field: field, max: max, required: required)
    }

    /// Trims the outline and refuses what would not fit a slide: 3–20 slides in all (the title slide counts),
    /// 1–8 bullets of up to 300 characters per slide.
    static func validated(_ outline: Outline) throws -> Outline {
        var out = outline
        out.title = try clean(outline.title, "outline.title", max: 200, required: true) ?? ""
        out.subtitle = try clean(outline.subtitle, "outline.subtitle", max: 300)
        try validateCount(outline.slides.count + 1)
        out.slides = try outline.slides.map { slide in
            let bullets = try slide.bullets.compactMap { try clean($0, "outline.slides.bullets", max: 300) }
            guard (1...8).contains(bullets.count) else {
                throw AppError.validation(
                    "Each slide needs 1 to 8 bullet points.", "كل شريحة تحتاج إلى نقطة واحدة حتى 8 نقاط.",
                    field: "outline.slides.bullets")
            }
            return PptxDocument.Slide(
                title: try clean(slide.title, "outline.slides.title", max: 200, required: true) ?? "",
                bullets: bullets, notes: try clean(slide.notes, "outline.slides.notes", max: 2000))
        }
        return out
    }

    @Sendable func generate(_ request: Request, context: BackendRequestContext) async throws -> DocumentRoutes.Outputs {
        let user = try context.requireUser()
        let input: GenerateRequest
        do {
            input = try await request.decode(as: GenerateRequest.self, context: context)
        } catch {
            throw AppError.validation(
                "Send outline (title and slides), language (ar or en), and optionally theme and formats.",
                "أرسل outline (العنوان والشرائح) وlanguage (ar أو en)، واختياريًا theme وformats.", field: "outline")
        }
        let formats = input.formats ?? ["pptx", "pdf"]
        guard !formats.isEmpty, formats.allSatisfy({ ["pptx", "pdf"].contains($0) }) else {
            throw AppError.validation(
                "formats may hold pptx and pdf.", "يمكن أن يحتوي formats على pptx وpdf فقط.", field: "formats")
        }
        let outline = try Self.validated(input.outline)
        try await documents.requireFeature(.slides, userID: user.id)
        let deck = PptxDocument(
            title: outline.title, subtitle: outline.subtitle, slides: outline.slides,
            language: input.language == .ar ? "ar-JO" : "en-US", rightToLeft: input.language == .ar,
            theme: input.theme ?? .classic)
        let stored = try await documents.store(try deck.data(), type: .pptx, userID: user.id, name: outline.title)
        var outputs: [DocumentRoutes.Output] = []
        if formats.contains("pptx") { outputs.append(try await documents.ready(stored)) }
        if formats.contains("pdf") {
            outputs.append(
                try await documents.pdf(
                    of: stored.id, userID: user.id, name: DocumentRoutes.name(outline.title, .pdf)))
        }
        return DocumentRoutes.Outputs(files: outputs)
    }

    @Sendable func outline(_ request: Request, context: BackendRequestContext) async throws -> OutlineResponse {
        let user = try context.requireUser()
        let input: OutlineRequest
        do {
            input = try await request.decode(as: OutlineRequest.self, context: context)
        } catch {
            throw AppError.validation(
                "Send topic, slide_count (3 to 20) and language (ar or en); audience and points are optional.",
                "أرسل topic وslide_count (من 3 إلى 20) وlanguage (ar أو en)؛ والجمهور والنقاط اختيارية.",
                field: "topic")
        }
        let topic = try Self.clean(input.topic, "topic", max: 300, required: true) ?? ""
        let audience = try Self.clean(input.audience, "audience", max: 200)
        try Self.validateCount(input.slideCount)
        let points = try (input.points ?? []).prefix(20).compactMap { try Self.clean($0, "points", max: 300) }
        try await documents.requireFeature(.slides, userID: user.id)

        let reply = try await askGateway(
            request: request, topic: topic, audience: audience, count: input.slideCount, language: input.language,
            points: points)
        if reply.provider != "demo", let outline = Self.parseOutline(reply.content, count: input.slideCount),
            let valid = try? Self.validated(outline)
        {
            return OutlineResponse(outline: valid, source: "ai", model: reply.model)
        }
        return OutlineResponse(
            outline: Self.template(
                topic: topic, audience: audience, count: input.slideCount, language: input.language, points: points),
            source: "template", model: reply.model)
    }

    func askGateway(
        request: Request, topic: String, audience: String?, count: Int, language: CVRenderer.Language, points: [String]
    ) async throws -> GatewayClient.Reply {
        let system = """
            You write slide outlines. Answer with JSON only, no prose: {"title": string, "subtitle": string, \
            "slides": [{"title": string, "bullets": [string], "notes": string}]}. Exactly \(count - 1) slides after \
            the title slide, 3 to 6 short bullets each, speaker notes of 2 to 3 sentences. Write in \
            \(language == .ar ? "Modern Standard Arabic" : "English").
            """
        var prompt = "Topic: \(topic)"
        if let audience { prompt += "\nAudience: \(audience)" }
        if !points.isEmpty { prompt += "\nKey points to cover:\n- " + points.joined(separator: "\n- ") }
        return try await gateway.complete(as: request, system: system, prompt: prompt, maxTokens: 2000)
    }

    /// The JSON outline in a model's answer (it may be wrapped in a code fence), with the requested slide count.
    static func parseOutline(_ content: String, count: Int) -> Outline? {
        guard var outline = GatewayClient.jsonObject(Outline.self, in: content) else { return nil }
        guard outline.slides.count >= count - 1 else { return nil }
        outline.slides = Array(outline.slides.prefix(count - 1))
        return outline
    }

    /// An outline built without a model (the offline demo): the topic, the given points spread over the slides,
    /// and standard opening and closing slides. Editable like any other.
    static func template(
        topic: String, audience: String?, count: Int, language: CVRenderer.Language, points: [String]
    ) -> Outline {
        let ar = language == .ar
        var slides: [PptxDocument.Slide] = []
        let contentCount = count - 1
        let middle = max(contentCount - 2, 0)
        slides.append(
            .init(
                title: ar ? "مقدمة" : "Introduction",
                bullets: ar
                    ? ["لماذا \(topic)؟", "ما الذي سنتناوله"] : ["Why \(topic) matters", "What we will cover"],
                notes: ar ? "عرّف بالموضوع وبأهميته للجمهور." : "Introduce the topic and why it matters to the audience."
            ))
        for index in 0..<middle {
            let point = index < points.count ? points[index] : nil
            let title = point ?? (ar ? "محور \(index + 1)" : "Part \(index + 1)")
            slides.append(
                .init(
                    title: title,
                    bullets: ar
                        ? ["الفكرة الرئيسية", "مثال من الواقع", "ما يعنيه ذلك لنا"]
                        : ["The main idea", "A real example", "What it means for us"],
                    notes: ar
                        ? "اشرح \(title) بمثال قريب من الجمهور."
                        : "Explain \(title) with an example close to the audience."))
        }
        if contentCount >= 2 {
            slides.append(
                .init(
                    title: ar ? "الخلاصة" : "Summary",
                    bullets: ar ? ["أهم ما تعلّمناه", "الخطوة التالية"] : ["What we learned", "Next step"],
                    notes: ar ? "لخّص النقاط وادعُ إلى الأسئلة." : "Sum up and invite questions."))
        }
        return Outline(
            title: topic, subtitle: audience.map { ar ? "الجمهور: \($0)" : "For \($0)" },
            slides: Array(slides.prefix(contentCount)))
    }
}
