import AsyncHTTPClient
import Core
import CoreTestSupport
import Foundation
import Hummingbird
import Logging
import Testing

@testable import BackendService
@testable import GatewayService

/// The OpenAPI documents the services serve describe exactly their routes, and docs/API_CONTRACTS.md
/// is rendered from those documents, so the contract cannot drift from the code.
struct ContractsTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let source = ConfigSource([
        "DATABASE_URL": "postgres://u@127.0.0.1/d", "REDIS_URL": "redis://127.0.0.1:1", "ENV": "local",
        "JWT_SECRET": TestEnvironment.jwtSecret, "STORAGE_DIR": NSTemporaryDirectory(),
    ])

    static func document(_ url: URL?) throws -> [String: Any] {
        let url = try #require(url)
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func documented(_ document: [String: Any]) -> Set<String> {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        return Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
    }

    /// `METHOD /path` with OpenAPI-style parameters.
    static func described<Context>(_ router: Router<Context>) -> Set<String> {
        Set(
            router.routes.map { route in
                let path = route.path.description.split(separator: "/").map { part -> String in
                    if part == "**" { return "{key}" }
                    return part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
                }.joined(separator: "/")
                return "\(route.method.rawValue) /\(path)"
            })
    }

    @Test func backendOpenAPIMatchesItsRoutes() async throws {
        let settings = try BackendSettings(Self.source)
        let logger = Logger(label: "contracts")
        let dependencies = StudioDependencies(database: settings.database, redis: settings.redis, logger: logger)
        let router = BackendService.buildRouter(
            settings: settings, dependencies: dependencies,
            tokens: await SessionTokens(secret: TestEnvironment.jwtSecret, lifetime: 60),
            mailer: OutboxMailer(
                directory: URL(fileURLWithPath: NSTemporaryDirectory()), from: "x@y.z", logger: logger),
            registry: TestMetrics.registry, logger: logger)
        #expect(Self.described(router) == Self.documented(try Self.document(BackendService.OpenAPIRoutes.documentURL)))
        await dependencies.redis.shutdown()
    }

    @Test func gatewayOpenAPIMatchesItsRoutes() async throws {
        let settings = try GatewaySettings(Self.source)
        let logger = Logger(label: "contracts")
        let dependencies = StudioDependencies(database: settings.database, redis: settings.redis, logger: logger)
        let router = try GatewayService.buildRouter(
            settings: settings, dependencies: dependencies,
            tokens: await SessionTokens(secret: TestEnvironment.jwtSecret, lifetime: 60), httpClient: .shared,
            registry: TestMetrics.registry, logger: logger)
        #expect(Self.described(router) == Self.documented(try Self.document(GatewayService.OpenAPIRoutes.documentURL)))
        await dependencies.redis.shutdown()
    }

    /// Every error code a response documents is in its service's catalogue, so API_CONTRACTS.md gives its
    /// English and Arabic messages.
    @Test func everyDocumentedErrorCodeHasItsMessages() throws {
        for (url, catalogue) in [
            (BackendService.OpenAPIRoutes.documentURL, AppError.backendCatalogue),
            (GatewayService.OpenAPIRoutes.documentURL, AppError.gatewayCatalogue),
        ] {
            let known = Set(catalogue.map(\.code))
            var documented: Set<String> = []
            for case let methods as [String: Any] in (try Self.document(url)["paths"] as? [String: Any] ?? [:]).values {
                for case let operation as [String: Any] in methods.values {
                    for case let response as [String: Any] in (operation["responses"] as? [String: Any] ?? [:]).values {
                        documented.formUnion(response["x-error-codes"] as? [String] ?? [])
                    }
                }
            }
            #expect(!documented.isEmpty)
            #expect(
                documented.subtracting(known).isEmpty,
                "codes without messages: \(documented.subtracting(known).sorted())")
        }
    }

    @Test func apiContractsDocumentMatchesTheOpenAPIDocuments() throws {
        let rendered = ContractsDocument.render([
            .init(
                name: "Backend", openAPI: try Self.document(BackendService.OpenAPIRoutes.documentURL),
                errors: AppError.backendCatalogue),
            .init(
                name: "Gateway", openAPI: try Self.document(GatewayService.OpenAPIRoutes.documentURL),
                errors: AppError.gatewayCatalogue),
        ])
        let file = Self.repositoryRoot.appendingPathComponent("docs/API_CONTRACTS.md")
        if ProcessInfo.processInfo.environment["RECORD_CONTRACTS"] == "1" {
            try rendered.write(to: file, atomically: true, encoding: .utf8)
        }
        let onDisk = try String(contentsOf: file, encoding: .utf8)
        #expect(
            onDisk == rendered,
            "docs/API_CONTRACTS.md is stale: RECORD_CONTRACTS=1 scripts/test.sh --filter ContractsTests")
    }
}
