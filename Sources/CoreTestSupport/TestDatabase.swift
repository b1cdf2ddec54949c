import Core
import Foundation
import Logging
import PostgresNIO

/// A fresh database per test, cloned from a template migrated once per test process.
public enum TestDatabase {
    private static let template = TemplateOnce()

    /// Runs `body` with a running client on a new, fully migrated database, dropped afterwards.
    public static func withFreshDatabase<T: Sendable>(
        _ body: (PostgresClient, DatabaseSettings) async throws -> T
    ) async throws -> T {
        let admin = try TestEnvironment.databaseSettings()
        let templateName = try await template.ensure(admin: admin)
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await createFromTemplate(admin, name: name, template: templateName)
        var settings = admin
        settings.database = name
        do {
            let result = try await withClient(settings) { try await body($0, settings) }
            try? await execute(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            return result
        } catch {
            try? await execute(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
    }

    /// A new empty database (no migrations), for tests of the migration runner itself.
    public static func withEmptyDatabase<T: Sendable>(_ body: (DatabaseSettings) async throws -> T) async throws -> T {
        let admin = try TestEnvironment.databaseSettings()
        let name = "e_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await execute(admin, "CREATE DATABASE \(name)")
        var settings = admin
        settings.database = name
        do {
            let result = try await body(settings)
            try? await execute(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            return result
        } catch {
            try? await execute(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Runs `body` with a client for `settings` that is running for the duration of the call.
    public static func withClient<T: Sendable>(
        _ settings: DatabaseSettings, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(settings: settings, maximumConnections: 4, logger: Logger(label: "test-postgres"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// The template's own pool may still be closing its connections: PostgreSQL refuses to copy a
    /// database that has any, so wait for them to go.
    static func createFromTemplate(_ admin: DatabaseSettings, name: String, template: String) async throws {
        for attempt in 1...100 {
            do {
                return try await execute(admin, "CREATE DATABASE \(name) TEMPLATE \(template)")
            } catch  where attempt < 100 && String(reflecting: error).contains("being accessed by other users") {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    static func execute(_ settings: DatabaseSettings, _ sql: String) async throws {
        try await withClient(settings) { client in
            try await client.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test-postgres"))
        }
    }

    /// Creates and migrates the template once, however many tests ask at the same time.
    actor TemplateOnce {
        private var creation: Task<String, any Error>?

        func ensure(admin: DatabaseSettings) async throws -> String {
            if let creation { return try await creation.value }
            let task = Task {
                let name = "tpl_\(ProcessInfo.processInfo.processIdentifier)_\(UInt32.random(in: 0...UInt32.max))"
                try await TestDatabase.execute(admin, "CREATE DATABASE \(name)")
                var settings = admin
                settings.database = name
                try await TestDatabase.withClient(settings) { client in
                    try await MigrationRunner(client: client, logger: Logger(label: "test-migrations")).migrate()
                }
                return name
            }
            creation = task
            return try await task.value
        }
    }
}
