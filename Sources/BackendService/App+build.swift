import Core
import Hummingbird
import Logging
import Prometheus

typealias AppRequestContext = BasicRequestContext

/// Wires the backend: routes, middleware, and its long-running dependencies. Does no I/O itself.
func buildApplication(
    settings: BackendSettings, dependencies: StudioDependencies, registry: PrometheusCollectorRegistry,
    logger: Logger
) -> some ApplicationProtocol {
    let router = buildRouter(dependencies: dependencies, registry: registry, logger: logger)
    return dependencies.application(
        router: router, name: "backend", settings: settings.common, logger: logger)
}

func buildRouter(
    dependencies: StudioDependencies, registry: PrometheusCollectorRegistry, logger: Logger
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.addStudioMiddleware()
    router.addOperationalRoutes(service: "backend", checks: dependencies.readinessChecks, registry: registry)
    PlanRoutes(plans: PlanRepository(client: dependencies.postgres, logger: logger)).register(on: router.group("v1"))
    return router
}
