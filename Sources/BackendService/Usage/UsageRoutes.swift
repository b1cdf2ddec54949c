import Core
import Hummingbird

/// `GET /v1/usage/me`: the wallet of the signed-in user for the current period.
struct UsageRoutes {
    let usage: UsageRepository

    struct UsageView: ResponseEncodable {
        let usage: UsageSummary

        func encode(to encoder: any Encoder) throws { try usage.encode(to: encoder) }
    }

    func register(on group: RouterGroup<BackendRequestContext>) {
        group.get("usage/me") { _, context in
            UsageView(usage: try await usage.summary(userID: try context.requireUser().id))
        }
    }
}
