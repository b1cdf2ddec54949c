import Core

@main
struct GatewayMain {
    static func main() async {
        await ServiceBoot.main(service: "gateway", settings: GatewaySettings.init, logLevel: \.common.logLevel) {
            settings, registry, logger in
            let dependencies = StudioDependencies(database: settings.database, redis: settings.redis, logger: logger)
            return buildApplication(settings: settings, dependencies: dependencies, registry: registry, logger: logger)
        }
    }
}
