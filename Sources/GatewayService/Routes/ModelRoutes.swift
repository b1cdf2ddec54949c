import Core
import Hummingbird

/// `GET /v1/models`: the catalogue the dropdowns read, with what can answer right now.
struct ModelRoutes {
    let catalog: ModelCatalog

    struct Entry: Encodable {
        let id: String
        let modality: String
        let provider: String
        let name: String
        let nameAr: String
        let isDefault: Bool
        let available: Bool
        let demo: Bool
        let limits: [String: Int]
        /// Chat models only: whether pictures can be attached to a message.
        let vision: Bool?

        enum CodingKeys: String, CodingKey {
            case id, modality, provider, name, available, demo, limits, vision
            case nameAr = "name_ar"
            case isDefault = "default"
        }
    }

    struct Listing: ResponseEncodable {
        let chat: [Entry]
        let image: [Entry]
        let video: [Entry]
    }

    func listing() -> Listing {
        func entries(_ modality: Modality) -> [Entry] {
            let chosen = catalog.defaultModel(for: modality)?.id
            return catalog.models.filter { $0.modality == modality }.map { model in
                var limits: [String: Int] = [:]
                limits["max_input_tokens"] = model.maxInputTokens
                limits["max_output_tokens"] = model.maxOutputTokens
                limits["max_images"] = model.maxImages
                limits["max_seconds"] = model.maxSeconds
                return Entry(
                    id: model.id, modality: modality.rawValue, provider: model.provider, name: model.name,
                    nameAr: model.nameAr, isDefault: model.id == chosen,
                    available: catalog.isAvailable(model) && model.unitCost != nil, demo: model.provider == "demo",
                    limits: limits, vision: modality == .chat ? model.vision : nil)
            }
        }
        return Listing(chat: entries(.chat), image: entries(.image), video: entries(.video))
    }

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.get("models") { _, _ in listing() }
    }
}
