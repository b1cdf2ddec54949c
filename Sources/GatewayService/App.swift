import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import NIOPosix

@main
struct GatewayMain {
    static func main() async {
        // Every request crosses the HTTP server, Redis, PostgreSQL and the provider client, all on NIO's
        // event loops: running Swift's tasks on those same threads saves a thread switch at each step.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await ServiceBoot.main(service: "gateway", settings: GatewaySettings.init, logLevel: \.common.logLevel) {
            settings, registry, logger in
            let dependencies = StudioDependencies(
                database: settings.database, redis: settings.redis,
                telemetry: try Telemetry.make(settings.common.telemetry, service: "gateway", logger: logger),
                logger: logger)
            let tokens = await SessionTokens(
                secret: settings.jwt.secret, lifetime: TimeInterval(settings.jwt.lifetimeSeconds))
            let providers = HTTPClient.studioProviders()
            let chatTurns = ProviderClient()
            return try buildApplication(
                settings: settings, dependencies: dependencies, tokens: tokens, httpClient: providers,
                providerClient: chatTurns, registry: registry,
                extraServices: [HTTPClientService(client: providers), ProviderClientService(client: chatTurns)],
                logger: logger)
        }
    }
}
