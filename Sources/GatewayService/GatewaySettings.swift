import Core
import Foundation
import NIOCore

/// Everything the AI gateway reads from its environment.
struct GatewaySettings: Sendable {
    struct ProviderKey: Sendable {
        let key: String
        let baseURL: String
    }

    let common: CommonSettings
    let database: DatabaseSettings
    let redis: RedisSettings
    let jwt: JWTSettings
    let openAI: ProviderKey?
    let anthropic: ProviderKey?
    let google: ProviderKey?
    /// Nano Banana: `NANO_BANANA_API_KEY` / `NANO_BANANA_BASE_URL`, or else the Google key.
    let nanoBanana: ProviderKey?
    /// Veo: `VEO3_API_KEY` / `VEO3_BASE_URL`, or else the Google key.
    let veo: ProviderKey?
    /// Runway, a second video provider: `RUNWAYML_API_SECRET` / `RUNWAY_BASE_URL`.
    let runway: ProviderKey?
    /// Replicate, an image fallback: `REPLICATE_API_TOKEN` / `REPLICATE_BASE_URL`.
    let replicate: ProviderKey?
    /// Stability AI, an image fallback: `STABILITY_API_KEY` / `STABILITY_BASE_URL`.
    let stability: ProviderKey?
    let storage: StorageSettings
    let baseURL: URL
    /// Every `aws:secretsmanager:` value resolved; S3 clients read their credentials here.
    let source: ConfigSource
    let catalogJSON: Data
    let requestsPerMinute: Int
    let warnAt: Double
    let upgradeURL: String
    let blockList: [String]
    let chatFallback: Bool
    /// Pause between words of the demo's streamed reply.
    let demoWordDelay: Duration
    let providerTimeout: Int
    /// `SESSION_CACHE_SECONDS` (default 10, 0 turns it off): how long a signed-in user's row is kept in
    /// this process, while the change listener hears PostgreSQL (`SessionUserCache`).
    let sessionCacheSeconds: Int

    /// `PROVIDER_TIMEOUT_SECONDS` as the HTTP client wants it.
    var providerTimeAmount: TimeAmount { .seconds(Int64(providerTimeout)) }

    init(_ source: ConfigSource) throws {
        common = try CommonSettings(source, defaultPort: 8082)
        database = try DatabaseSettings(source)
        redis = try RedisSettings(source)
        jwt = try JWTSettings(source)
        openAI = source["OPENAI_API_KEY"].map {
            ProviderKey(key: $0, baseURL: source.string("OPENAI_BASE_URL", default: "https://api.openai.com"))
        }
        anthropic = source["ANTHROPIC_API_KEY"].map {
            ProviderKey(key: $0, baseURL: source.string("ANTHROPIC_BASE_URL", default: "https://api.anthropic.com"))
        }
        google = source["GOOGLE_API_KEY"].map {
            ProviderKey(
                key: $0,
                baseURL: source.string("GOOGLE_BASE_URL", default: "https://generativelanguage.googleapis.com"))
        }
        if let key = source["NANO_BANANA_API_KEY"] {
            nanoBanana = ProviderKey(
                key: key,
                baseURL: source.string("NANO_BANANA_BASE_URL", default: "https://generativelanguage.googleapis.com"))
        } else {
            nanoBanana = google
        }
        replicate = source["REPLICATE_API_TOKEN"].map {
            ProviderKey(key: $0, baseURL: source.string("REPLICATE_BASE_URL", default: "https://api.replicate.com"))
        }
        stability = source["STABILITY_API_KEY"].map {
            ProviderKey(key: $0, baseURL: source.string("STABILITY_BASE_URL", default: "https://api.stability.ai"))
        }
        if let key = source["VEO3_API_KEY"] {
            veo = ProviderKey(
                key: key, baseURL: source.string("VEO3_BASE_URL", default: "https://generativelanguage.googleapis.com"))
        } else {
            veo = google
        }
        runway = source["RUNWAYML_API_SECRET"].map {
            ProviderKey(key: $0, baseURL: source.string("RUNWAY_BASE_URL", default: "https://api.dev.runwayml.com"))
        }
        storage = try StorageSettings(source, environment: common.environment)
        baseURL = try source.url("BASE_URL", default: "http://127.0.0.1:8080")
        self.source = source
        if let path = source["MODEL_CATALOG_FILE"] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError(key: "MODEL_CATALOG_FILE", reason: "names a file that cannot be read")
            }
            catalogJSON = data
        } else {
            catalogJSON = ModelCatalog.builtIn
        }
        requestsPerMinute = try source.int("RATE_LIMIT_PER_MINUTE", default: 60, range: 1...100_000)
        guard let warn = Double(source.string("TOKEN_LIMIT_WARN_PCT", default: "0.8")), (0.1...1).contains(warn) else {
            throw ConfigError(key: "TOKEN_LIMIT_WARN_PCT", reason: "must be a fraction between 0.1 and 1")
        }
        warnAt = warn
        let base = source.string("BASE_URL", default: "http://127.0.0.1:8080").trimmingSuffix("/")
        upgradeURL = base + "/app/account"
        blockList = source.string("MODERATION_BLOCKLIST", default: "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        chatFallback = try source.bool("CHAT_FALLBACK", default: false)
        demoWordDelay = .milliseconds(try source.int("DEMO_WORD_DELAY_MS", default: 15, range: 0...1000))
        providerTimeout = try source.int("PROVIDER_TIMEOUT_SECONDS", default: 120, range: 1...900)
        sessionCacheSeconds = try source.int("SESSION_CACHE_SECONDS", default: 10, range: 0...300)
    }
}
