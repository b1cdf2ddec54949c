import Core

@main
struct WorkerMain {
    static func main() async {
        await ServiceBoot.main(service: "worker", settings: WorkerSettings.init, logLevel: \.common.logLevel) {
            settings, registry, logger in
            let dependencies = StudioDependencies(
                database: settings.database, redis: settings.redis,
                telemetry: try Telemetry.make(settings.common.telemetry, service: "worker", logger: logger),
                logger: logger)
            return buildApplication(settings: settings, dependencies: dependencies, registry: registry, logger: logger)
        }
    }
}
