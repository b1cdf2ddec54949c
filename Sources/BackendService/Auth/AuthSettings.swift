import Core
import Foundation

/// How sign-in behaves: link lifetime, rate limits, cookies and the optional sign-up trial.
struct AuthSettings: Sendable {
    struct Trial: Sendable, Equatable {
        let planID: String
        let days: Int
    }

    let baseURL: URL
    let linkLifetime: TimeInterval
    let perEmail: RateLimiter.Rule
    let perIP: RateLimiter.Rule
    /// How many proxies append to `X-Forwarded-For` in front of the backend (`TRUSTED_PROXY_HOPS`): 1 for
    /// the load balancer alone, 2 with CloudFront in front of it. The client is that many entries from the end.
    let trustedProxyHops: Int
    let secureCookies: Bool
    let trial: Trial?

    init(_ source: ConfigSource, environment: AppEnvironment) throws {
        baseURL = try source.url("BASE_URL", default: "http://127.0.0.1:8080")
        trustedProxyHops = try source.int("TRUSTED_PROXY_HOPS", default: 1, range: 1...5)
        linkLifetime = TimeInterval(try source.int("MAGIC_LINK_TTL_MINUTES", default: 15, range: 1...60) * 60)
        perEmail = .init(
            limit: try source.int("MAGIC_LINK_LIMIT_PER_EMAIL", default: 5, range: 1...1000), window: .seconds(900))
        perIP = .init(
            limit: try source.int("MAGIC_LINK_LIMIT_PER_IP", default: 20, range: 1...10_000), window: .seconds(900))
        secureCookies = environment == .prod || baseURL.scheme == "https"
        let defaultPlan = environment == .local ? "creator" : ""
        let plan = source.string("SIGNUP_TRIAL_PLAN", default: defaultPlan)
        if plan.isEmpty {
            trial = nil
        } else {
            guard ["starter", "pro", "creator"].contains(plan) else {
                throw ConfigError(key: "SIGNUP_TRIAL_PLAN", reason: "must be starter, pro, creator or empty")
            }
            trial = Trial(
                planID: plan,
                days: try source.int("SIGNUP_TRIAL_DAYS", default: environment == .local ? 30 : 7, range: 1...365))
        }
    }
}

/// Where mail goes: SES on AWS, a folder locally.
struct MailSettings: Sendable {
    enum Transport: String, Sendable { case ses, outbox }
    let transport: Transport
    let from: String
    let sesRegion: String
    let sesEndpoint: String?
    let outboxDirectory: URL

    init(_ source: ConfigSource, environment: AppEnvironment) throws {
        let raw = source.string("MAIL_TRANSPORT", default: environment == .prod ? "ses" : "outbox")
        guard let transport = Transport(rawValue: raw) else {
            throw ConfigError(key: "MAIL_TRANSPORT", reason: "must be ses or outbox")
        }
        self.transport = transport
        from = source.string("EMAIL_FROM", default: "AI Studio <no-reply@aistudio.local>")
        sesRegion = source["SES_REGION"] ?? source["AWS_REGION"] ?? "eu-central-1"
        sesEndpoint = source["AWS_ENDPOINT_URL_SES"] ?? source["AWS_ENDPOINT_URL"]
        outboxDirectory = URL(fileURLWithPath: source.string("OUTBOX_DIR", default: ".data/outbox"))
    }
}
