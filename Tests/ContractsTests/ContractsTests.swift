import Core
import CoreTestSupport
import Foundation
import Hummingbird
import Logging
import Testing

@testable import BackendService

struct ContractsTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func openAPI() throws -> [String: Any] {
        let url = try #require(OpenAPIRoutes.documentURL)
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// Every route of the backend's router, as `METHOD /path` with OpenAPI-style parameters.
    func routes() async throws -> Set<String> {
        let settings = try BackendSettings(
            ConfigSource([
                "DATABASE_URL": "postgres://u@127.0.0.1/d", "REDIS_URL": "redis://127.0.0.1:1", "ENV": "local",
                "JWT_SECRET": TestEnvironment.jwtSecret, "STORAGE_DIR": NSTemporaryDirectory(),
            ]))
        let logger = Logger(label: "contracts")
        let dependencies = StudioDependencies(database: settings.database, redis: settings.redis, logger: logger)
        defer { Task { await dependencies.redis.shutdown() } }
        let router = buildRouter(
            settings: settings, dependencies: dependencies,
            tokens: await SessionTokens(secret: TestEnvironment.jwtSecret, lifetime: 60),
            mailer: OutboxMailer(
                directory: URL(fileURLWithPath: NSTemporaryDirectory()), from: "x@y.z", logger: logger),
            registry: TestMetrics.registry, logger: logger)
        return Set(
            router.routes.map { route in
                let path = route.path.description.split(separator: "/").map { part -> String in
                    if part == "**" { return "{key}" }
                    return part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
                }.joined(separator: "/")
                return "\(route.method.rawValue) /\(path)"
            })
    }

    @Test func openAPIDescribesExactlyTheRoutesTheBackendServes() async throws {
        let paths = try openAPI()["paths"] as? [String: [String: Any]] ?? [:]
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
        #expect(try await routes() == documented)
    }

    @Test func apiContractsDocumentMatchesTheOpenAPIDocument() throws {
        let rendered = ContractsDocument.render([
            .init(name: "Backend", openAPI: try openAPI(), errors: AppError.backendCatalogue)
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
