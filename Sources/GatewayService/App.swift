import Core
import Foundation

@main
struct GatewayMain {
    static func main() async {
        await ServiceBoot.main(service: "gateway", settings: GatewaySettings.init, logLevel: \.common.logLevel) {
            settings, registry, logger in
            let dependencies = StudioDependencies(
                database: settings.database, redis: settings.redis,
                telemetry: try Telemetry.make(settings.common.telemetry, service: "gateway", logger: logger),
                logger: logger)
            let tokens = await SessionTokens(
                secret: settings.jwt.secret, lifetime: TimeInterval(settings.jwt.lifetimeSeconds))
            return try buildApplication(
                settings: settings, dependencies: dependencies, tokens: tokens, httpClient: .shared, registry: registry,
                logger: logger)
        }
    }
}
