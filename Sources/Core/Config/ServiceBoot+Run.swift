import Foundation
import Hummingbird
import Logging
import Prometheus

extension ServiceBoot {
    /// The whole of a service's `main`: settings (or one clear line and exit 78), JSON logs,
    /// Prometheus metrics, then the application built by `build`, run until SIGTERM or SIGINT.
    public static func main<Settings, App: ApplicationProtocol>(
        service: String,
        settings makeSettings: @Sendable (ConfigSource) throws -> Settings,
        logLevel: @Sendable (Settings) -> Logger.Level,
        build: @Sendable (Settings, PrometheusCollectorRegistry, Logger) async throws -> App
    ) async {
        let (settings, _) = await loadSettings(service: service, makeSettings)
        LoggingSystem.bootstrapJSON(service: service, level: logLevel(settings))
        let registry = StudioMetrics.bootstrap()
        let logger = Logger(label: service)
        do {
            let app = try await build(settings, registry, logger)
            try await app.runService()
        } catch {
            logger.critical("service stopped with an error", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
