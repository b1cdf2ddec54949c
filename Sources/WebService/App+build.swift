import AsyncHTTPClient
import Core
import Foundation
import Hummingbird
import Logging
import Prometheus

typealias AppRequestContext = WebRequestContext

/// Wires the web front: the static site (pages read once, assets versioned) and, in local mode, the
/// API proxy. Reads the site's files; does no network I/O;
/// the application shuts `httpClient` down when it stops.
func buildApplication(
    settings: WebSettings, httpClient: HTTPClient, registry: PrometheusCollectorRegistry, logger: Logger
) throws -> some ApplicationProtocol {
    let telemetry = try Telemetry.make(settings.common.telemetry, service: "web", logger: logger)
    let router = Router(context: AppRequestContext.self)
    router.addStudioMiddleware(telemetry: telemetry)
    let site = try SitePages(root: settings.webRoot, versioned: settings.common.environment != .local)
    router.add(
        middleware: SiteMiddleware(
            site: site,
            policy: SitePolicy(assetOrigins: settings.assetOrigins, paymentOrigins: settings.paymentOrigins)))
    router.addOperationalRoutes(
        service: "web", checks: readinessChecks(settings: settings, httpClient: httpClient), registry: registry)
    if let backend = settings.backendURL, let gateway = settings.gatewayURL {
        router.add(middleware: APIProxyMiddleware(backend: backend, gateway: gateway, client: httpClient))
    }
    router.add(
        middleware: FileMiddleware(
            settings.webRoot, cacheControl: .init([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true,
            logger: logger))
    return Application(
        router: router,
        configuration: .init(address: .hostname(settings.common.host, port: settings.common.port), serverName: "web"),
        services: (telemetry.service.map { [$0] } ?? []) + [HTTPClientService(client: httpClient)],
        logger: logger)
}

/// The site's files are there; in local mode, the two upstreams answer `/healthz`.
func readinessChecks(settings: WebSettings, httpClient: HTTPClient) -> [ReadinessCheck] {
    let root = settings.webRoot
    var checks = [
        ReadinessCheck("static") {
            guard FileManager.default.fileExists(atPath: root + "/index.html") else { throw AppError.notFound }
        }
    ]
    let http = OutgoingHTTP(client: httpClient)
    for (name, url) in [("backend", settings.backendURL), ("gateway", settings.gatewayURL)] {
        guard let url else { continue }
        checks.append(
            ReadinessCheck(name) {
                let reply = try await http.send(
                    .GET, url.absoluteString.trimmingSuffix("/") + "/healthz", timeout: .seconds(2))
                guard reply.status == 200 else { throw AppError.serviceUnavailable }
            })
    }
    return checks
}
