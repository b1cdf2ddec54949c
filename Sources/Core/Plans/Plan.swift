/// A monthly plan as sold: price in fils (1 JOD = 1000 fils) and what it allows per period.
public struct Plan: Sendable, Codable, Equatable {
    public let id: String
    public let name: String
    public let nameAr: String
    public let priceFils: Int
    public let tokenLimit: Int64
    public let imageLimit: Int
    public let videoLimit: Int
    public let features: PlanFeatures

    enum CodingKeys: String, CodingKey {
        case id, name, features
        case nameAr = "name_ar"
        case priceFils = "price_fils"
        case tokenLimit = "token_limit"
        case imageLimit = "image_limit"
        case videoLimit = "video_limit"
    }
}

/// What a plan switches on beyond its quotas.
public struct PlanFeatures: Sendable, Codable, Equatable {
    public let chat: Bool
    public let cv: Bool
    public let image: Bool
    public let video: Bool
    public let pdfSummary: Bool
    public let slides: Bool
    public let longPrompts: Bool
    public let advancedEditors: Bool
    public let maxInputTokens: Int

    enum CodingKeys: String, CodingKey {
        case chat, cv, image, video, slides
        case pdfSummary = "pdf_summary"
        case longPrompts = "long_prompts"
        case advancedEditors = "advanced_editors"
        case maxInputTokens = "max_input_tokens"
    }
}

/// A 1 JOD top-up for the current period.
public struct Addon: Sendable, Codable, Equatable {
    public let id: String
    public let kind: UsageKind
    public let amount: Int64
    public let priceFils: Int
    public let name: String
    public let nameAr: String

    enum CodingKeys: String, CodingKey {
        case id, kind, amount, name
        case priceFils = "price_fils"
        case nameAr = "name_ar"
    }
}

/// What the wallet counts.
public enum UsageKind: String, Sendable, Codable, CaseIterable {
    case tokens, images, video
}

/// Money as the studio shows it: `3.000 JOD`.
public enum Money {
    public static func jod(fils: Int) -> String {
        let sign = fils < 0 ? "-" : ""
        let value = abs(fils)
        let fraction = String(value % 1000)
        return "\(sign)\(value / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
