import Core
import Hummingbird

/// `GET /v1/plans`: the plans and add-ons on sale, with prices in fils and as JOD text.
struct PlanRoutes {
    let plans: PlanRepository

    struct PlanView: ResponseEncodable {
        let plans: [PlanItem]
        let addons: [AddonItem]
    }

    struct PlanItem: Codable {
        let plan: Plan
        let priceJOD: String

        func encode(to encoder: any Encoder) throws {
            try plan.encode(to: encoder)
            try PlanRoutes.encodePrice(priceJOD, to: encoder)
        }
    }

    struct AddonItem: Codable {
        let addon: Addon
        let priceJOD: String

        func encode(to encoder: any Encoder) throws {
            try addon.encode(to: encoder)
            try PlanRoutes.encodePrice(priceJOD, to: encoder)
        }
    }

    enum PriceKeys: String, CodingKey {
        case priceJOD = "price_jod"
        case priceText = "price_text"
    }

    /// `price_jod: "3.000"` and `price_text: {"ar": "3.000 د.أ", "en": "3.000 JOD"}`.
    static func encodePrice(_ jod: String, to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: PriceKeys.self)
        try container.encode(jod, forKey: .priceJOD)
        try container.encode(["ar": "\(jod) د.أ", "en": "\(jod) JOD"], forKey: .priceText)
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("plans") { _, _ -> PlanView in
            async let plans = self.plans.activePlans()
            async let addons = self.plans.activeAddons()
            return PlanView(
                plans: try await plans.map { PlanItem(plan: $0, priceJOD: Money.jod(fils: $0.priceFils)) },
                addons: try await addons.map { AddonItem(addon: $0, priceJOD: Money.jod(fils: $0.priceFils)) })
        }
    }
}
