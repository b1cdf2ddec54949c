import Core
import Hummingbird
import Logging
import Prometheus

typealias AppRequestContext = BasicRequestContext

/// Wires the gateway: routes, middleware, and its long-running dependencies. Does no I/O itself.
func buildApplication(
    settings: GatewaySettings, dependencies: StudioDependencies, registry: PrometheusCollectorRegistry,
    logger: Logger
) -> some ApplicationProtocol {
    let router = Router(context: AppRequestContext.self)
    router.addStudioMiddleware()
    router.addOperationalRoutes(service: "gateway", checks: dependencies.readinessChecks, registry: registry)
    return dependencies.application(
        router: router, name: "gateway", settings: settings.common, logger: logger)
}
