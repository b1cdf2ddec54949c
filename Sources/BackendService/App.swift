import Core
import Foundation

@main
struct BackendMain {
    static func main() async {
        await ServiceBoot.main(service: "backend", settings: BackendSettings.init, logLevel: \.common.logLevel) {
            settings, registry, logger in
            let dependencies = StudioDependencies(
                database: settings.database, redis: settings.redis,
                telemetry: try Telemetry.make(settings.common.telemetry, service: "backend", logger: logger),
                logger: logger)
            let tokens = await SessionTokens(
                secret: settings.jwt.secret, lifetime: TimeInterval(settings.jwt.lifetimeSeconds))
            return buildApplication(
                settings: settings, dependencies: dependencies, tokens: tokens,
                mailer: makeMailer(settings: settings, logger: logger), registry: registry, logger: logger)
        }
    }
}
