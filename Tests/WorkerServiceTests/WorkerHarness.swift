import Core
import CoreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO

@testable import WorkerService

/// A worker application on a fresh database and Redis prefix, with a direct database client.
struct WorkerHarness: Sendable {
    let postgres: PostgresClient
    let settings: WorkerSettings
    let dependencies: StudioDependencies
    let logger = Logger(label: "worker-test")

    /// Builds the worker; `body` runs while it consumes jobs (`inside`) and may check results after it stopped.
    static func run(
        extra: [String: String] = [:],
        _ body: @escaping @Sendable (WorkerHarness, any ApplicationProtocol) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { client, database in
            // LibreOffice starts on the first document, not with every test's worker.
            let settings = try WorkerSettings(
                TestEnvironment.serviceSource(
                    database: database, extra: ["OFFICE_START_AT_BOOT": "false"].merging(extra) { _, new in new }))
            let logger = Logger(label: "worker-test")
            let dependencies = StudioDependencies(database: settings.database, redis: settings.redis, logger: logger)
            let app = buildApplication(
                settings: settings, dependencies: dependencies, registry: TestMetrics.registry, logger: logger)
            try await body(WorkerHarness(postgres: client, settings: settings, dependencies: dependencies), app)
        }
    }

    var redis: RedisClient { dependencies.redis }
    var jobs: JobRepository { JobRepository(client: postgres, logger: logger) }
    var files: FileRepository { FileRepository(client: postgres, logger: logger) }
}
