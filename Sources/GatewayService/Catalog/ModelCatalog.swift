import Core
import Foundation

/// What a model is for.
enum Modality: String, Codable, Sendable, CaseIterable {
    case chat, image, video
}

/// One entry of the catalogue. Ids and upstream names are configuration: providers rename models often.
struct CatalogModel: Codable, Sendable, Equatable {
    let id: String
    let modality: Modality
    let provider: String
    /// The provider's own name for the model.
    let upstream: String
    let name: String
    let nameAr: String
    let isDefault: Bool
    let maxInputTokens: Int?
    let maxOutputTokens: Int?
    let maxImages: Int?
    let maxSeconds: Int?
    /// Wallet units charged per unit used (token, image or second of video). A model without one is never served.
    let unitCost: Double?
    /// Models to try, in order, when this one fails with a 5xx, a timeout or overload.
    let fallbacks: [String]
    /// A chat model that can take pictures with a message.
    let vision: Bool

    enum CodingKeys: String, CodingKey {
        case id, modality, provider, upstream, name, fallbacks, vision
        case nameAr = "name_ar"
        case isDefault = "default"
        case maxInputTokens = "max_input_tokens"
        case maxOutputTokens = "max_output_tokens"
        case maxImages = "max_images"
        case maxSeconds = "max_seconds"
        case unitCost = "unit_cost"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        modality = try c.decode(Modality.self, forKey: .modality)
        provider = try c.decode(String.self, forKey: .provider)
        upstream = try c.decodeIfPresent(String.self, forKey: .upstream) ?? id
        name = try c.decode(String.self, forKey: .name)
        nameAr = try c.decode(String.self, forKey: .nameAr)
        isDefault = try c.decodeIfPresent(Bool.self, forKey: .isDefault) ?? false
        maxInputTokens = try c.decodeIfPresent(Int.self, forKey: .maxInputTokens)
        maxOutputTokens = try c.decodeIfPresent(Int.self, forKey: .maxOutputTokens)
        maxImages = try c.decodeIfPresent(Int.self, forKey: .maxImages)
        maxSeconds = try c.decodeIfPresent(Int.self, forKey: .maxSeconds)
        unitCost = try c.decodeIfPresent(Double.self, forKey: .unitCost)
        fallbacks = try c.decodeIfPresent([String].self, forKey: .fallbacks) ?? []
        vision = try c.decodeIfPresent(Bool.self, forKey: .vision) ?? false
    }
}

/// The models the studio offers, and which of them can answer with the keys this process has.
struct ModelCatalog: Sendable {
    let models: [CatalogModel]
    /// Per modality, the providers this process has a client (and a key) for.
    let configuredProviders: [Modality: Set<String>]

    /// A model can answer when its provider's key is set for its modality, or when it is the local demo.
    func isAvailable(_ model: CatalogModel) -> Bool {
        model.provider == "demo" || configuredProviders[model.modality, default: []].contains(model.provider)
    }

    func model(_ id: String) -> CatalogModel? { models.first { $0.id == id } }

    /// The model used when a request names none: the configured default if it can answer,
    /// otherwise the first that can (the demo when no key is set).
    func defaultModel(for modality: Modality) -> CatalogModel? {
        let candidates = models.filter { $0.modality == modality }
        if let preferred = candidates.first(where: { $0.isDefault && isAvailable($0) }) { return preferred }
        return candidates.first { isAvailable($0) && $0.provider != "demo" } ?? candidates.first { isAvailable($0) }
    }

    /// The model a request names, or the modality's default, when it can answer now: known, of this
    /// modality, available, priced (a model without a unit cost is never served free) and with a
    /// client in `implemented`. Otherwise the 400 that says which.
    func resolve(_ id: String?, modality: Modality, implemented: some Collection<String>) throws -> (
        CatalogModel, Double
    ) {
        let model: CatalogModel
        if let id {
            guard let found = self.model(id), found.modality == modality else { throw AppError.unknownModel(id) }
            model = found
        } else {
            guard let found = defaultModel(for: modality) else { throw AppError.unknownModel("default") }
            model = found
        }
        guard isAvailable(model), let unitCost = model.unitCost, implemented.contains(model.provider) else {
            throw AppError.modelUnavailable(model.id)
        }
        return (model, unitCost)
    }

    static func load(json: Data, configuredProviders: [Modality: Set<String>]) throws -> ModelCatalog {
        let models = try JSONDecoder().decode([CatalogModel].self, from: json)
        let ids = models.map(\.id)
        guard Set(ids).count == ids.count else {
            throw ConfigError(key: "MODEL_CATALOG_FILE", reason: "lists a model id twice")
        }
        return ModelCatalog(models: models, configuredProviders: configuredProviders)
    }

    /// The catalogue shipped with the studio; `MODEL_CATALOG_FILE` replaces it.
    static let builtIn = Data(
        #"""
        [
          {"id": "gpt-4o", "modality": "chat", "provider": "openai", "upstream": "gpt-4o", "name": "GPT-4o",
           "name_ar": "جي بي تي 4o", "default": true, "max_input_tokens": 128000, "max_output_tokens": 4096,
           "unit_cost": 1, "fallbacks": [], "vision": true},
          {"id": "gpt-5", "modality": "chat", "provider": "openai", "upstream": "gpt-5", "name": "GPT-5",
           "name_ar": "جي بي تي 5", "max_input_tokens": 272000, "max_output_tokens": 8192, "unit_cost": 1.5,
           "vision": true},
          {"id": "claude-sonnet-4.5", "modality": "chat", "provider": "anthropic", "upstream": "claude-sonnet-4-5",
           "name": "Claude Sonnet 4.5", "name_ar": "كلود سونيت 4.5", "max_input_tokens": 200000,
           "max_output_tokens": 8192, "unit_cost": 1.5, "vision": true},
          {"id": "gemini-2.5-pro", "modality": "chat", "provider": "google", "upstream": "gemini-2.5-pro",
           "name": "Gemini 2.5 Pro", "name_ar": "جيميناي 2.5 برو", "max_input_tokens": 1000000,
           "max_output_tokens": 8192, "unit_cost": 1, "vision": true},
          {"id": "demo-chat", "modality": "chat", "provider": "demo", "upstream": "demo", "name": "Studio demo (offline)",
           "name_ar": "نموذج تجريبي (دون اتصال)", "max_input_tokens": 32000, "max_output_tokens": 1024, "unit_cost": 1},
          {"id": "nano-banana", "modality": "image", "provider": "google", "upstream": "gemini-2.5-flash-image",
           "name": "Nano Banana", "name_ar": "نانو بنانا", "default": true, "max_images": 4, "unit_cost": 1,
           "fallbacks": ["flux-schnell", "stable-image-core"]},
          {"id": "flux-schnell", "modality": "image", "provider": "replicate",
           "upstream": "black-forest-labs/flux-schnell", "name": "FLUX.1 [schnell]", "name_ar": "فلوكس شنيل",
           "max_images": 4, "unit_cost": 1},
          {"id": "stable-image-core", "modality": "image", "provider": "stability", "upstream": "core",
           "name": "Stable Image Core", "name_ar": "ستيبل إيمج كور", "max_images": 4, "unit_cost": 1},
          {"id": "demo-image", "modality": "image", "provider": "demo", "upstream": "demo", "name": "Studio demo images (offline)",
           "name_ar": "صور تجريبية (دون اتصال)", "max_images": 4, "unit_cost": 1},
          {"id": "veo-3", "modality": "video", "provider": "google", "upstream": "veo-3.0-generate-001", "name": "Veo 3",
           "name_ar": "فيو 3", "default": true, "max_seconds": 8, "unit_cost": 1, "fallbacks": ["runway-gen4.5"]},
          {"id": "runway-gen4.5", "modality": "video", "provider": "runway", "upstream": "gen4.5", "name": "Runway Gen-4.5",
           "name_ar": "رنواي Gen-4.5", "max_seconds": 10, "unit_cost": 1},
          {"id": "pika-2.2", "modality": "video", "provider": "pika", "upstream": "pika-2.2",
           "name": "Pika 2.2 (not connected: no public API)", "name_ar": "بيكا 2.2 (غير متصل: لا واجهة برمجية عامة)",
           "max_seconds": 10, "unit_cost": 1},
          {"id": "demo-video", "modality": "video", "provider": "demo", "upstream": "demo", "name": "Studio demo video (offline)",
           "name_ar": "فيديو تجريبي (دون اتصال)", "max_seconds": 20, "unit_cost": 1}
        ]
        """#.utf8)
}
