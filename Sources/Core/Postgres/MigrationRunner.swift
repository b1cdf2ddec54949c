import Logging
import PostgresNIO

/// Applies pending migrations under a PostgreSQL advisory lock, so several processes starting
/// together apply each migration exactly once.
public struct MigrationRunner: Sendable {
    /// The lock id every process of the studio agrees on (`hashtext('ai-studio-migrations')` would do too).
    static let advisoryLockID: Int64 = 0x4149_5354_4455_4431
    let client: PostgresClient
    let migrations: [Migration]
    let logger: Logger

    public init(client: PostgresClient, migrations: [Migration] = Migration.all, logger: Logger) {
        self.client = client
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    public enum Failure: Error, CustomStringConvertible {
        case unknownMigrations([Int])
        case duplicateVersion(Int)
        case failed(version: Int, name: String, underlying: String)

        public var description: String {
            switch self {
            case .unknownMigrations(let versions):
                "the database has migrations \(versions) that this code does not know; deploy a newer build"
            case .duplicateVersion(let version): "two migrations share version \(version)"
            case .failed(let version, let name, let underlying): "migration \(version) \(name) failed: \(underlying)"
            }
        }
    }

    /// Applies what is pending; returns the versions this call applied.
    @discardableResult
    public func migrate() async throws -> [Int] {
        if let duplicate = Dictionary(grouping: migrations, by: \.version).first(where: { $0.value.count > 1 }) {
            throw Failure.duplicateVersion(duplicate.key)
        }
        return try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockID))", logger: logger)
            do {
                let applied = try await applyPending(on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockID))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockID))", logger: logger)
                throw error
            }
        }
    }

    private func applyPending(on connection: PostgresConnection) async throws -> [Int] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var done = Set<Int>()
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger)
            .decode(Int.self)
        {
            done.insert(version)
        }
        let known = Set(migrations.map(\.version))
        let unknown = done.subtracting(known).sorted()
        guard unknown.isEmpty else { throw Failure.unknownMigrations(unknown) }
        var applied: [Int] = []
        for migration in migrations where !done.contains(migration.version) {
            do {
                try await connection.withTransaction(logger: logger) { tx in
                    for statement in migration.statements {
                        try await tx.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await tx.query(
                        "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                        logger: logger)
                }
            } catch {
                throw Failure.failed(
                    version: migration.version, name: migration.name, underlying: String(reflecting: error))
            }
            logger.info(
                "migration applied", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            applied.append(migration.version)
        }
        return applied
    }
}
