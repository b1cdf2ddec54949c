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
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(priceJOD, forKey: .priceJOD)
        }

        enum Keys: String, CodingKey { case priceJOD = "price_jod" }
    }

    struct AddonItem: Codable {
        let addon: Addon
        let priceJOD: String

        func encode(to encoder: any Encoder) throws {
            try addon.encode(to: encoder)
            var container = encoder.container(keyedBy: PlanItem.Keys.self)
            try container.encode(priceJOD, forKey: .priceJOD)
        }
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
