import ArgumentParser
import Core
import Foundation
import PostgresNIO

struct Secrets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration's secret references.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resolve every aws:secretsmanager: reference and say which fail (values are never printed).")
        @OptionGroup var format: JSONFlag

        struct Result: Codable {
            let key: String
            let secret: String
            let ok: Bool
            let error: String?
        }

        func run() async throws {
            // Reads the raw configuration: the references themselves, not their values.
            let raw = Ops.injected?.config ?? ConfigSource.load()
            let resolver = SecretResolver.fromEnvironment(raw)
            var results: [Result] = []
            for key in raw.values.keys.sorted() {
                guard let value = raw.values[key], value.hasPrefix(SecretResolver.prefix) else { continue }
                do {
                    _ = try await resolver.resolve(ConfigSource([key: value]))
                    results.append(
                        Result(
                            key: key, secret: String(value.dropFirst(SecretResolver.prefix.count)), ok: true, error: nil
                        ))
                } catch {
                    let reason = (error as? ConfigError)?.reason ?? "\(error)"
                    results.append(
                        Result(
                            key: key, secret: String(value.dropFirst(SecretResolver.prefix.count)), ok: false,
                            error: reason))
                }
            }
            let output = Ops.injected?.output ?? Output()
            if format.json {
                try output.json(results)
            } else {
                output.table(
                    ["key", "secret", "state"],
                    results.map { [$0.key, $0.secret, $0.ok ? "ok" : "FAILED: \($0.error ?? "")"] })
                output.line("\(results.filter(\.ok).count) of \(results.count) reference(s) resolved")
            }
            if results.contains(where: { !$0.ok }) { throw ExitCode(1) }
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The database schema's migrations.", subcommands: [Status.self, Up.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Which migrations are applied and which are pending.")
        @OptionGroup var format: JSONFlag

        struct Row: Codable {
            let version: Int
            let name: String
            let appliedAt: Date?

            enum CodingKeys: String, CodingKey {
                case version, name
                case appliedAt = "applied_at"
            }
        }

        func run() async throws {
            try await Ops.run { ops in
                var applied: [Int: Date] = [:]
                let exists = try await ops.postgres.query(
                    "SELECT to_regclass('schema_migrations') IS NOT NULL", logger: ops.logger)
                var hasTable = false
                for try await value in exists.decode(Bool.self) { hasTable = value }
                if hasTable {
                    let rows = try await ops.postgres.query(
                        "SELECT version, applied_at FROM schema_migrations", logger: ops.logger)
                    for try await (version, at) in rows.decode((Int, Date).self) { applied[version] = at }
                }
                let report = Migration.all.map {
                    Row(version: $0.version, name: $0.name, appliedAt: applied[$0.version])
                }
                if format.json { return try ops.output.json(report) }
                ops.output.table(
                    ["version", "name", "applied"],
                    report.map { [String($0.version), $0.name, $0.appliedAt?.iso ?? "PENDING"] })
            }
        }
    }

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending migrations (the services also do this at boot, under the same advisory lock).")
        @OptionGroup var why: Reason

        func run() async throws {
            try await Ops.run { ops in
                let applied = try await MigrationRunner(client: ops.postgres, logger: ops.logger).migrate()
                try await ops.audit(
                    "migrate.up", target: "database", reason: why.reason,
                    details: ["applied": applied.map(String.init).joined(separator: ",")])
                ops.output.line(
                    applied.isEmpty
                        ? "nothing to apply" : "applied: \(applied.map(String.init).joined(separator: ", "))")
            }
        }
    }
}

@main
struct StudioCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "studioctl",
        abstract: "AI Studio's operator console: support and incident procedures, with an audit trail.",
        discussion: """
            Reads the same configuration as the services (DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX, \
            aws:secretsmanager: references). Every command that changes something needs --reason and writes \
            one admin_audit row naming the operator (STUDIOCTL_OPERATOR, or the OS user).
            """,
        subcommands: [
            Users.self, Plans.self, Usage.self, Limits.self, Jobs.self, Queue.self, Payments.self, Secrets.self,
            Migrate.self,
        ])
}
