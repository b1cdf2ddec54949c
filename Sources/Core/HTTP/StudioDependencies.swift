import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle

/// The shared state most services use: PostgreSQL and Redis, both lifecycle services, and the tracer.
public struct StudioDependencies: Sendable {
    public let postgres: PostgresClient
    public let redis: RedisClient
    public let telemetry: Telemetry

    public init(postgres: PostgresClient, redis: RedisClient, telemetry: Telemetry = .off) {
        self.postgres = postgres
        self.redis = redis
        self.telemetry = telemetry
    }

    /// Clients for `database` and `redis`; nothing connects until they run.
    public init(database: DatabaseSettings, redis: RedisSettings, telemetry: Telemetry = .off, logger: Logger) {
        self.init(
            postgres: PostgresClient(settings: database, logger: logger),
            redis: RedisClient(settings: redis, logger: logger), telemetry: telemetry)
    }

    /// The `/readyz` checks: a trivial query and a PING.
    public var readinessChecks: [ReadinessCheck] {
        let postgres = self.postgres
        let redis = self.redis
        return [
            ReadinessCheck("postgres") { try await postgres.query("SELECT 1", logger: Logger(label: "readyz")) },
            ReadinessCheck("redis") { try await redis.send("PING") },
        ]
    }

    /// Both clients, to run as services ahead of the HTTP server; the span exporter first, so it stops
    /// last and flushes what the others finished.
    public var services: [any Service] { (telemetry.service.map { [$0] } ?? []) + [postgres, redis] }

    /// Applies pending migrations; every service calls it before accepting requests.
    public func migrate(logger: Logger) async throws {
        try await MigrationRunner(client: postgres, logger: logger).migrate()
    }
}

extension StudioDependencies {
    /// The application of a service that uses PostgreSQL and Redis: both clients (and `extraServices`)
    /// run ahead of the HTTP server, and migrations are applied before it accepts requests.
    public func application<Context: RequestContext>(
        router: Router<Context>, name: String, settings: CommonSettings, extraServices: [any Service] = [],
        logger: Logger
    ) -> some ApplicationProtocol where Context: InitializableFromSource<ApplicationRequestContextSource> {
        var app = Application(
            router: router,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: name),
            services: services + extraServices,
            logger: logger)
        app.beforeServerStarts { try await migrate(logger: logger) }
        return app
    }
}
