import Core
import CoreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing

@testable import GatewayService

struct GatewayAppTests {
    @Test func gatewayIsReadyWithPostgresAndRedis() async throws {
        try await TestDatabase.withFreshDatabase { _, database in
            let settings = try GatewaySettings(TestEnvironment.serviceSource(database: database))
            let logger = Logger(label: "gateway-test")
            let app = buildApplication(
                settings: settings,
                dependencies: StudioDependencies(database: settings.database, redis: settings.redis, logger: logger),
                registry: TestMetrics.registry, logger: logger)
            try await app.test(.router) { client in
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains(#""service":"gateway""#))
                }
            }
        }
    }

    @Test func gatewayRefusesAShortJWTSecret() throws {
        let error = #expect(throws: ConfigError.self) {
            try GatewaySettings(
                ConfigSource(["DATABASE_URL": "postgres://u@h/d", "REDIS_URL": "redis://h:6379", "JWT_SECRET": "short"])
            )
        }
        #expect(error?.key == "JWT_SECRET")
    }
}
