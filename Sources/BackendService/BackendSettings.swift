import Core
import Foundation

/// Everything the backend reads from its environment.
struct BackendSettings: Sendable {
    let common: CommonSettings
    let database: DatabaseSettings
    let redis: RedisSettings
    let jwt: JWTSettings
    let baseURL: URL

    init(_ source: ConfigSource) throws {
        common = try CommonSettings(source, defaultPort: 8081)
        database = try DatabaseSettings(source)
        redis = try RedisSettings(source)
        jwt = try JWTSettings(source)
        baseURL = try source.url("BASE_URL", default: "http://127.0.0.1:8080")
    }
}
