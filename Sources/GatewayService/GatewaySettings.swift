import Core

/// Everything the AI gateway reads from its environment.
struct GatewaySettings: Sendable {
    let common: CommonSettings
    let database: DatabaseSettings
    let redis: RedisSettings
    let jwt: JWTSettings

    init(_ source: ConfigSource) throws {
        common = try CommonSettings(source, defaultPort: 8082)
        database = try DatabaseSettings(source)
        redis = try RedisSettings(source)
        jwt = try JWTSettings(source)
    }
}
