import Core
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Tracing

/// `POST /v1/chat/complete`: moderation, quota reservation, the provider call (with fallbacks),
/// and settlement — streamed as Server-Sent Events or answered as JSON.
struct ChatRoutes {
    let catalog: ModelCatalog
    let providers: [String: any ChatProvider]
    let ledger: QuotaLedger
    let moderator: any Moderator
    let fallbackEnabled: Bool
    let conversations: ConversationRepository
    /// Documents attached to a message: the user's files and the text the worker read from them.
    var files: FileRepository? = nil
    var texts: FileTextRepository? = nil
    /// Where attached pictures are read from.
    var storage: StorageAreas? = nil

    static let quotaWarningHeader = HTTPField.Name("X-Quota-Warning")!
    /// Set when an attached document was cut to fit the plan's and the model's input limits.
    static let attachmentTrimmedHeader = HTTPField.Name("X-Attachment-Trimmed")!

    /// The body of `POST /v1/chat/complete`, read by `CompleteRequest.read` (field names as in the API:
    /// `model`, `messages`, `system`, `stream`, `max_tokens`, `conversation_id`, `attachments`).
    struct CompleteRequest {
        let model: String?
        let messages: [ChatMessage]?
        let system: String?
        let stream: Bool?
        let maxTokens: Int?
        let conversationID: UUID?
        /// Up to 5 of the user's documents (PDF, DOCX, TXT, read by `POST /v1/files/{id}/extract`) whose text
        /// goes to the model with the last message.
        var attachments: [UUID]? = nil
    }

    struct Usage {
        let inputTokens: Int
        let outputTokens: Int
        let billed: Int64

        var jsonObject: [String: Any] {
            ["input_tokens": inputTokens, "output_tokens": outputTokens, "billed": billed]
        }
    }

    /// The JSON answer (`stream: false`), written with `JSONWriter`: Foundation's `JSONEncoder` was a
    /// visible share of each request's CPU in the gateway benchmark.
    struct Completion: ResponseGenerator {
        let model: String
        let provider: String
        let conversationID: UUID?
        let content: String
        let finishReason: String
        let usage: Usage
        let quota: QuotaState

        var jsonObject: [String: Any] {
            var object: [String: Any] = [
                "model": model, "provider": provider, "content": content, "finish_reason": finishReason,
                "usage": usage.jsonObject, "quota": quota.jsonObject,
            ]
            if let conversationID { object["conversation_id"] = conversationID.uuidString.lowercased() }
            return object
        }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: try JSONWriter.bytes(jsonObject))))
        }
    }

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.post("chat/complete", use: complete)
    }

    /// A validated request: the model chosen and the estimate to reserve.
    struct Plan {
        let model: CatalogModel
        let request: ChatRequest
        let estimate: Int64
        let promptBytes: Int
    }

    func plan(_ body: CompleteRequest) throws -> Plan {
        guard let messages = body.messages, !messages.isEmpty else {
            throw AppError.validation("Send at least one message.", "أرسل رسالة واحدة على الأقل.", field: "messages")
        }
        guard messages.allSatisfy({ ["user", "assistant"].contains($0.role) && !$0.content.isEmpty }) else {
            throw AppError.validation(
                "Each message needs a role (user or assistant) and some text.",
                "تحتاج كل رسالة إلى دور (user أو assistant) ونص.", field: "messages")
        }
        let (model, unitCost) = try catalog.resolve(body.model, modality: .chat, implemented: providers.keys)
        let maxOutput = min(max(body.maxTokens ?? 1024, 1), model.maxOutputTokens ?? 4096)
        let inputBytes = (body.system ?? "").utf8.count + messages.reduce(0) { $0 + $1.content.utf8.count }
        if let maxInput = model.maxInputTokens, inputBytes / 4 > maxInput {
            throw AppError.validation(
                "The conversation is too long for this model.", "المحادثة أطول مما يحتمله هذا النموذج.",
                field: "messages")
        }
        // A bounded estimate: every UTF-8 byte of the prompt as a token (never fewer tokens than bytes),
        // plus the capped output.
        let estimate = Int64((Double(inputBytes + maxOutput) * unitCost).rounded(.up))
        return Plan(
            model: model,
            request: ChatRequest(
                upstreamModel: model.upstream, system: body.system, messages: messages, maxOutputTokens: maxOutput),
            estimate: estimate, promptBytes: inputBytes)
    }

    /// A call that passed every check and is under way: the meter that settles it and the provider's stream.
    struct Started {
        let meter: Metering
        let events: AsyncThrowingStream<ChatEvent, any Error>
        /// At or past the warning threshold once this request's reservation is counted.
        let warn: Bool
        let percent: Int
        /// An attached document was cut to fit.
        var trimmed = false
    }

    /// The one path every chat request takes, whatever its wire format: validate, check the
    /// conversation, moderate, reserve, then open the provider (with fallbacks).
    func start(
        _ body: CompleteRequest, user: User, admission: Admission?, logger: Logger, record: Bool = true
    ) async throws -> Started {
        let question = body.messages?.last { $0.role == "user" }?.content ?? ""
        var body = body
        var trimmed = false
        var attachedNames: [String] = []
        if let ids = body.attachments, !ids.isEmpty {
            (body, trimmed, attachedNames) = try await attach(ids, to: body, user: user)
        }
        let plan = try plan(body)
        // The plan's own input cap (long prompts are a Creator feature), before anything is sent or reserved.
        if let allowed = try await ledger.wallet(userID: user.id)?.maxInputTokens, plan.promptBytes / 4 > allowed {
            throw AppError.promptTooLongForPlan(limit: allowed)
        }
        // Whose conversation it is, checked beside moderation and the reservation: one PostgreSQL round trip
        // less before the provider on every follow-up message.
        let conversationID = body.conversationID
        let reservation = try await ledger.reserve(
            userID: user.id, kind: .tokens, amount: plan.estimate,
            moderating: [body.system ?? ""] + plan.request.messages.map(\.content), with: moderator,
            admission: admission,
            alongside: { [conversations] in
                if let conversationID, try await conversations.find(id: conversationID, userID: user.id) == nil {
                    throw AppError.notFound
                }
            }, logger: logger)
        let opened: (CatalogModel, AsyncThrowingStream<ChatEvent, any Error>, (any Span)?)
        let opening = ContinuousClock.now
        do {
            opened = try await open(plan, logger: logger)
        } catch {
            await ledger.release(reservation)
            throw (error as? ProviderError)?.appError ?? error
        }
        let recorder =
            record
            ? ConversationRecorder(
                conversations: conversations, userID: user.id, conversationID: body.conversationID,
                question: attachedNames.isEmpty
                    ? question : question + "\n" + attachedNames.map { "📎 " + $0 }.joined(separator: "\n"),
                logger: logger) : nil
        let meter = Metering(
            ledger: ledger, reservation: reservation, model: opened.0, promptBytes: plan.promptBytes,
            recorder: recorder, providerSpan: opened.2, scope: .current,
            logger: logger, openedAt: opening)
        let ratio = Double(reservation.committed) / Double(max(reservation.limit, 1))
        return Started(
            meter: meter, events: opened.1, warn: ratio >= ledger.warnAt, percent: Int(min(ratio, 1) * 100),
            trimmed: trimmed)
    }

    /// Puts the text of the attached documents before the last user message, within what the plan and the model
    /// take in one request (the rest of the conversation keeps its place), and attached pictures with it for
    /// models that can see; says whether a text was cut.
    func attach(_ ids: [UUID], to body: CompleteRequest, user: User) async throws -> (CompleteRequest, Bool, [String]) {
        guard let files, let texts else { throw AppError.attachmentNotSupported }
        guard ids.count <= 5 else {
            throw AppError.validation(
                "Attach up to 5 documents to a message.", "أرفق حتى 5 مستندات بالرسالة.", field: "attachments")
        }
        guard var messages = body.messages, let last = messages.lastIndex(where: { $0.role == "user" }) else {
            return (body, false, [])
        }
        let (model, _) = try catalog.resolve(body.model, modality: .chat, implemented: providers.keys)
        let planLimit = try await ledger.wallet(userID: user.id)?.maxInputTokens ?? Int.max
        let allowedBytes = min(planLimit, model.maxInputTokens ?? Int.max).multipliedReportingOverflow(by: 4)
        let used = (body.system ?? "").utf8.count + messages.reduce(0) { $0 + $1.content.utf8.count }
        var budget = (allowedBytes.overflow ? Int.max : allowedBytes.partialValue) - used - 512
        var blocks: [String] = []
        var names: [String] = []
        var pictures: [InputImage] = []
        var trimmed = false
        for id in ids {
            let file = try await files.ready(id: id, userID: user.id)
            if let type = file.type, [.png, .jpeg, .webp, .gif].contains(type) {
                // A picture goes to models that can see, in the provider's own image format.
                guard model.vision else { throw AppError.modelCannotSee(model.id) }
                guard let storage, let data = try await storage.assets.get(key: file.key) else {
                    throw AppError.notFound
                }
                pictures.append(InputImage(data: data, mimeType: type.contentType))
                names.append(file.name)
                continue
            }
            guard let type = file.type, [.pdf, .docx, .txt].contains(type) else {
                throw AppError.attachmentNotSupported
            }
            guard let text = try await texts.find(fileID: file.id) else { throw AppError.attachmentNotRead }
            var content = text.text
            let cut = content.utf8.count > max(budget, 0)
            if cut {
                // Cut at a character boundary: a partial UTF-8 sequence at the end is dropped.
                content = String(decoding: content.utf8.prefix(max(budget, 0)), as: UTF8.self)
                    .trimmingCharacters(in: CharacterSet(charactersIn: "\u{FFFD}"))
                trimmed = true
            }
            budget -= content.utf8.count
            blocks.append("<document name=\"\(file.name)\"\(cut ? " trimmed=\"true\"" : "")>\n\(content)\n</document>")
            names.append(file.name)
        }
        messages[last] = ChatMessage(
            role: "user",
            content: blocks.isEmpty
                ? messages[last].content
                : "The user attached these documents:\n\n" + blocks.joined(separator: "\n\n") + "\n\n"
                    + messages[last].content,
            images: pictures)
        let out = CompleteRequest(
            model: body.model, messages: messages, system: body.system, stream: body.stream, maxTokens: body.maxTokens,
            conversationID: body.conversationID)
        return (out, trimmed, names)
    }

    @Sendable func complete(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let body = try await CompleteRequest.read(request, context: context)
        let started = try await start(
            body, user: try context.requireUser(), admission: context.admission, logger: context.logger)
        var response: Response
        if body.stream == true {
            response = Self.eventStream(started, format: StudioStreamFormat())
        } else {
            let completion = try await started.meter.collect(started.events)
            response = try completion.response(from: request, context: context)
        }
        if started.warn { response.headers[Self.quotaWarningHeader] = String(started.percent) }
        if started.trimmed { response.headers[Self.attachmentTrimmedHeader] = "1" }
        return response
    }

    static func eventStream(_ started: Started, format: any ChatStreamFormat) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                try await started.meter.stream(started.events, to: &writer, format: format)
            })
    }

    /// Calls the chosen model; on a provider failure before any output, tries the fallbacks. Each attempt
    /// is a `provider <name> chat` span; the one that answers stays open until its stream ends.
    func open(_ plan: Plan, logger: Logger) async throws -> (
        CatalogModel, AsyncThrowingStream<ChatEvent, any Error>, (any Span)?
    ) {
        var chain = [plan.model]
        if fallbackEnabled { chain += plan.model.fallbacks.compactMap(catalog.model).filter(catalog.isAvailable) }
        var lastError: (any Error)?
        for model in chain {
            guard let provider = providers[model.provider] else { continue }
            let request = ChatRequest(
                upstreamModel: model.upstream, system: plan.request.system, messages: plan.request.messages,
                maxOutputTokens: plan.request.maxOutputTokens)
            let span = Telemetry.startSpan("provider \(model.provider) chat", kind: .client)
            span?.updateAttributes { attributes in
                attributes["gen_ai.system"] = model.provider
                attributes["gen_ai.operation.name"] = "chat"
                attributes["gen_ai.request.model"] = model.upstream
                attributes["studio.model"] = model.id
            }
            do {
                let stream = try await Telemetry.within(span) { try await provider.stream(request) }
                return (model, stream, span)
            } catch let error as ProviderError where error.allowsFallback {
                ProviderError.count(error, model: model)
                span?.fail(error)
                span?.end()
                logger.warning(
                    "provider failed, trying the next model", metadata: ["model": "\(model.id)", "error": "\(error)"])
                lastError = error
            } catch {
                if let error = error as? ProviderError { ProviderError.count(error, model: model) }
                span?.fail(error)
                span?.end()
                throw error
            }
        }
        throw lastError ?? ProviderError.unavailable(provider: plan.model.provider, status: 0)
    }
}

extension AppError {
    static func unknownModel(_ id: String) -> AppError {
        AppError(
            code: "unknown_model", status: .badRequest, message: "There is no model called \(id).",
            messageAr: "لا يوجد نموذج بهذا الاسم: \(id).", details: ["field": "model"])
    }

    static func modelUnavailable(_ id: String) -> AppError {
        AppError(
            code: "model_unavailable", status: .badRequest,
            message: "The model \(id) is not available right now. Pick another one.",
            messageAr: "النموذج \(id) غير متاح الآن. اختر نموذجًا آخر.", details: ["field": "model"])
    }
}

extension AppError {
    static let attachmentNotSupported = AppError(
        code: "attachment_not_supported", status: .unprocessableContent,
        message: "Attach documents (PDF, Word, text) or pictures (PNG, JPEG, WebP, GIF) to a chat message.",
        messageAr: "أرفق بالرسالة مستندات (PDF أو Word أو نص) أو صورًا (PNG أو JPEG أو WebP أو GIF).")

    static func modelCannotSee(_ model: String) -> AppError {
        AppError(
            code: "model_cannot_see", status: .unprocessableContent,
            message: "The model \(model) cannot see pictures. Choose GPT-4o, Claude or Gemini.",
            messageAr: "النموذج \(model) لا يرى الصور. اختر GPT-4o أو Claude أو Gemini.")
    }

    static let attachmentNotRead = AppError(
        code: "text_not_ready", status: .conflict,
        message: "The attached document has not been read yet. Try again in a moment.",
        messageAr: "لم تُقرأ المستندات المرفقة بعد. حاول بعد لحظات.")
}

extension ChatRoutes.CompleteRequest {
    /// Reads the body with `JSONValue` (its `Decodable` path was a noticeable share of each request's CPU).
    /// Anything that is not this shape — not JSON, a field of the wrong type, a message without its role
    /// or content, a conversation id that is not a UUID — is refused as the framework's decoder refuses
    /// it: 400 with one plain sentence. Unknown fields are ignored, as `Decodable` ignores them.
    static func read(_ request: Request, context: some RequestContext) async throws -> Self {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        guard let json = try? JSONValue.parse(buffer.readableBytesView), let body = Self(json: json) else {
            throw AppError.malformedRequest
        }
        return body
    }

    init?(json: JSONValue) {
        guard let object = json.object else { return nil }
        /// `.some(nil)` when the field is absent or null, nil when it has the wrong type.
        func field<T>(_ key: String, _ read: (JSONValue) -> T?) -> T?? {
            guard let value = object[key], value != .null else { return .some(nil) }
            return read(value).map { .some($0) } ?? nil
        }
        guard let model = field("model", \.string), let system = field("system", \.string),
            let stream = field("stream", \.bool), let maxTokens = field("max_tokens", \.int),
            let conversationID = field("conversation_id", { $0.string.flatMap(UUID.init(uuidString:)) }),
            let messages = field(
                "messages",
                { value -> [ChatMessage]? in
                    guard let items = value.array else { return nil }
                    var messages: [ChatMessage] = []
                    for item in items {
                        guard let role = item["role"]?.string, let content = item["content"]?.string else { return nil }
                        messages.append(ChatMessage(role: role, content: content))
                    }
                    return messages
                }),
            let attachments = field(
                "attachments",
                { value -> [UUID]? in
                    guard let items = value.array else { return nil }
                    let ids = items.compactMap { $0.string.flatMap(UUID.init(uuidString:)) }
                    return ids.count == items.count ? ids : nil
                })
        else { return nil }
        self.init(
            model: model, messages: messages, system: system, stream: stream, maxTokens: maxTokens,
            conversationID: conversationID, attachments: attachments)
    }
}
