import Core
import Foundation
import Hummingbird
import Logging

/// `POST /v1/images/generate`: moderation, an image reservation, the provider (with fallbacks),
/// then each image stored as the user's file and returned with a time-limited link.
struct ImageRoutes {
    static let aspectRatios = ["1:1", "2:3", "3:2", "3:4", "4:3", "9:16", "16:9", "21:9"]

    let catalog: ModelCatalog
    let providers: [String: any ImageProvider]
    let ledger: QuotaLedger
    let moderator: any Moderator
    let files: FileRepository
    let storage: StorageAreas
    let linkLifetime: Int

    struct GenerateRequest: Decodable {
        let model: String?
        let prompt: String?
        let count: Int?
        let aspectRatio: String?
        let inputFileID: String?

        enum CodingKeys: String, CodingKey {
            case model, prompt, count
            case aspectRatio = "aspect_ratio"
            case inputFileID = "input_file_id"
        }
    }

    struct Image: Encodable {
        let fileID: UUID
        let url: String
        let expiresAt: Date
        let contentType: String
        let bytes: Int

        enum CodingKeys: String, CodingKey {
            case url, bytes
            case fileID = "file_id"
            case expiresAt = "expires_at"
            case contentType = "content_type"
        }
    }

    struct Generated: ResponseEncodable {
        let model: String
        let provider: String
        let demo: Bool
        let images: [Image]
        let quota: QuotaState
    }

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.post("images/generate", use: generate)
    }

    @Sendable func generate(_ request: Request, context: GatewayRequestContext) async throws -> Generated {
        let user = try context.requireUser()
        let body = try await request.decode(as: GenerateRequest.self, context: context)
        let (model, unitCost) = try catalog.resolve(body.model, modality: .image, implemented: providers.keys)
        let prompt = (body.prompt ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...2000).contains(prompt.count) else {
            throw AppError.validation(
                "Describe the image in 1 to 2,000 characters.", "صف الصورة في 1 إلى 2000 حرف.", field: "prompt")
        }
        let count = body.count ?? 1
        guard (1...(model.maxImages ?? 4)).contains(count) else {
            throw AppError.validation(
                "Ask for 1 to \(model.maxImages ?? 4) images.", "اطلب من صورة واحدة إلى \(model.maxImages ?? 4) صور.",
                field: "count")
        }
        let aspect = body.aspectRatio ?? "1:1"
        guard Self.aspectRatios.contains(aspect) else {
            throw AppError.validation(
                "aspect_ratio must be one of \(Self.aspectRatios.joined(separator: ", ")).",
                "يجب أن تكون النسبة واحدة من: \(Self.aspectRatios.joined(separator: "، ")).", field: "aspect_ratio")
        }
        let input = try await inputImage(body.inputFileID, userID: user.id)
        if input != nil, !(providers[model.provider]?.canEdit ?? false) {
            throw AppError.cannotEdit(model.id)
        }
        let reservation = try await ledger.reserve(
            userID: user.id, kind: .images, amount: Int64((Double(count) * unitCost).rounded(.up)),
            moderating: [prompt], with: moderator, admission: context.admission, logger: context.logger)
        do {
            let (answered, images) = try await call(
                model,
                ImageRequest(
                    upstreamModel: model.upstream, prompt: prompt, count: count, aspectRatio: aspect, input: input),
                logger: context.logger)
            var stored: [Image] = []
            for image in images.prefix(count) {
                guard let type = FileType.sniff(image.data), type.kind == "image" else { continue }
                let id = UUID()
                let key = "users/\(user.id.uuidString.lowercased())/\(id.uuidString.lowercased()).\(type.fileExtension)"
                try await storage.assets.put(key: key, data: image.data, contentType: type.contentType)
                _ = try await files.createReady(
                    id: id, userID: user.id, type: type, key: key, bytes: Int64(image.data.count),
                    name: "image-\(stored.count + 1).\(type.fileExtension)")
                let now = Date()
                let url = try await storage.assets.signedDownloadURL(
                    key: key, expiresIn: linkLifetime, fileName: nil, now: now)
                stored.append(
                    Image(
                        fileID: id, url: url.absoluteString,
                        expiresAt: now.addingTimeInterval(TimeInterval(linkLifetime)),
                        contentType: type.contentType, bytes: image.data.count))
            }
            guard !stored.isEmpty else { throw ProviderError.unavailable(provider: answered.provider, status: 200) }
            let billed = Int64((Double(stored.count) * (answered.unitCost ?? 1)).rounded(.up))
            let quota = try await ledger.settle(
                reservation, actual: billed, model: answered.id,
                meta: ["provider": answered.provider, "aspect_ratio": aspect, "edit": input == nil ? "no" : "yes"])
            return Generated(
                model: answered.id, provider: answered.provider, demo: answered.provider == "demo", images: stored,
                quota: quota)
        } catch {
            await ledger.release(reservation)
            throw (error as? ProviderError)?.appError ?? error
        }
    }

    /// Tries the model, then its fallbacks (images fall back by default), on provider failures.
    func call(_ model: CatalogModel, _ request: ImageRequest, logger: Logger) async throws -> (
        CatalogModel, [GeneratedImage]
    ) {
        let chain =
            [model]
            + model.fallbacks.compactMap(catalog.model).filter { $0.modality == .image && catalog.isAvailable($0) }
        var lastError: (any Error)?
        for candidate in chain {
            // An edit goes only to models that can take a picture.
            guard let provider = providers[candidate.provider], request.input == nil || provider.canEdit else {
                continue
            }
            do {
                let images = try await Telemetry.span("provider \(candidate.provider) image", kind: .client) { span in
                    span?.attributes["gen_ai.system"] = candidate.provider
                    span?.attributes["gen_ai.request.model"] = candidate.upstream
                    return try await provider.generate(
                        ImageRequest(
                            upstreamModel: candidate.upstream, prompt: request.prompt, count: request.count,
                            aspectRatio: request.aspectRatio, input: request.input))
                }
                return (candidate, images)
            } catch let error as ProviderError {
                ProviderError.count(error, model: candidate)
                guard error.allowsFallback else { throw error }
                logger.warning(
                    "image provider failed, trying the next model",
                    metadata: ["model": "\(candidate.id)", "error": "\(error)"])
                lastError = error
            }
        }
        throw lastError ?? ProviderError.unavailable(provider: model.provider, status: 0)
    }

    /// The user's own uploaded picture (checked and promoted, PNG, JPEG or WebP), read from storage.
    func inputImage(_ reference: String?, userID: UUID) async throws -> InputImage? {
        guard let reference else { return nil }
        let file = try await files.ready(id: UUID(uuidString: reference), userID: userID)
        guard let type = file.type, [.png, .jpeg, .webp].contains(type),
            let data = try await storage.assets.get(key: file.key)
        else {
            throw AppError.validation(
                "input_file_id must name a PNG, JPEG or WebP picture.", "يجب أن يكون الملف صورة PNG أو JPEG أو WebP.",
                field: "input_file_id")
        }
        return InputImage(data: data, mimeType: type.contentType)
    }
}

extension AppError {
    static func cannotEdit(_ model: String) -> AppError {
        AppError(
            code: "model_cannot_edit", status: .badRequest,
            message: "The model \(model) cannot edit pictures. Choose Nano Banana.",
            messageAr: "النموذج \(model) لا يستطيع تعديل الصور. اختر نانو بنانا.")
    }
}
