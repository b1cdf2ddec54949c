import Core
import CoreTestSupport
import Logging
import PostgresNIO
import Testing

struct MigrationRunnerTests {
    let logger = Logger(label: "test")

    func appliedVersions(_ client: PostgresClient) async throws -> [Int] {
        var versions: [Int] = []
        for try await version in try await client.query(
            "SELECT version FROM schema_migrations ORDER BY version", logger: logger
        )
        .decode(Int.self) {
            versions.append(version)
        }
        return versions
    }

    @Test func concurrentRunnersApplyEachMigrationOnce() async throws {
        try await TestDatabase.withEmptyDatabase { settings async throws in
            // Four processes starting together: four separate pools racing for the same database.
            let results = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await TestDatabase.withClient(settings) { client in
                            try await MigrationRunner(client: client, logger: Logger(label: "test")).migrate()
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            let expected = Migration.all.map(\.version)
            #expect(results.filter { !$0.isEmpty } == [expected])
            #expect(results.filter(\.isEmpty).count == 3)
            try await TestDatabase.withClient(settings) { client async throws in
                #expect(try await appliedVersions(client) == expected)
                #expect(try await MigrationRunner(client: client, logger: logger).migrate() == [])
            }
        }
    }

    @Test func refusesADatabaseWithAMigrationItDoesNotKnow() async throws {
        try await TestDatabase.withFreshDatabase { client, _ async throws in
            try await client.query(
                "INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_the_future')", logger: logger)

            let error = await #expect(throws: MigrationRunner.Failure.self) {
                try await MigrationRunner(client: client, logger: logger).migrate()
            }
            #expect(error?.description.contains("9999") == true)
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        try await TestDatabase.withFreshDatabase { client, _ async throws in
            let broken = Migration(
                version: 999, name: "broken",
                statements: ["CREATE TABLE half_done (id int)", "SELECT * FROM no_such_table"])

            await #expect(throws: MigrationRunner.Failure.self) {
                try await MigrationRunner(client: client, migrations: Migration.all + [broken], logger: logger)
                    .migrate()
            }

            #expect(try await appliedVersions(client) == Migration.all.map(\.version))
            let tables = try await client.query("SELECT to_regclass('half_done')::text", logger: logger).decode(
                String?.self)
            for try await table in tables { #expect(table == nil) }
        }
    }
}
