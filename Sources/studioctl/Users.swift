import ArgumentParser
import Core
import Foundation
import PostgresNIO

/// `--reason`, required by every command that changes something (it goes into `admin_audit`).
struct Reason: ParsableArguments {
    @Option(help: "Why (recorded in admin_audit with the operator's name).")
    var reason: String

    func validate() throws {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("--reason must say why")
        }
    }
}

struct JSONFlag: ParsableArguments {
    @Flag(name: .long, help: "Print JSON for scripts instead of a table.")
    var json = false
}

extension Ops {
    /// A user by id or e-mail address.
    func user(_ reference: String) async throws -> User {
        let users = UserRepository(client: postgres, logger: logger)
        if let id = UUID(uuidString: reference), let user = try await users.find(id: id) { return user }
        if reference.contains("@"), let user = try await users.find(email: reference) { return user }
        throw OpsError("no user \(reference)")
    }
}

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find, inspect, block and unblock users.",
        subcommands: [Find.self, Show.self, Block.self, Unblock.self])

    struct Row: Codable {
        let id: String
        let email: String
        let active: Bool
        let createdAt: Date

        enum CodingKeys: String, CodingKey {
            case id, email, active
            case createdAt = "created_at"
        }
    }

    struct Find: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Users whose id is, or whose e-mail contains, the text.")
        @Argument(help: "An id, an e-mail address or part of one.") var text: String
        @OptionGroup var format: JSONFlag

        func run() async throws {
            try await Ops.run { ops in
                let pattern = "%" + text.lowercased().replacingOccurrences(of: "%", with: "\\%") + "%"
                let id = UUID(uuidString: text)
                let rows = try await ops.postgres.query(
                    """
                    SELECT id, email, is_active, created_at FROM users
                    WHERE id = \(id) OR lower(email) LIKE \(pattern)
                    ORDER BY created_at DESC LIMIT 50
                    """, logger: ops.logger)
                var found: [Row] = []
                for try await (id, email, active, created) in rows.decode((UUID, String, Bool, Date).self) {
                    found.append(Row(id: id.lower, email: email, active: active, createdAt: created))
                }
                if format.json { return try ops.output.json(found) }
                ops.output.table(
                    ["id", "email", "active", "created"],
                    found.map { [$0.id, $0.email, $0.active ? "yes" : "BLOCKED", $0.createdAt.iso] })
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A user's plan, this period's usage, recent payments and jobs.")
        @Argument(help: "The user's id or e-mail address.") var user: String
        @OptionGroup var format: JSONFlag

        struct Report: Codable {
            let user: Row
            let usage: UsageSummary
            let payments: [Payment]
            let jobs: [Job]
        }

        struct Payment: Codable {
            let id: String
            let status: String
            let amountJOD: String
            let item: String
            let provider: String
            let createdAt: Date

            enum CodingKeys: String, CodingKey {
                case id, status, item, provider
                case amountJOD = "amount_jod"
                case createdAt = "created_at"
            }
        }

        struct Job: Codable {
            let id: String
            let kind: String
            let status: String
            let error: String?
            let createdAt: Date

            enum CodingKeys: String, CodingKey {
                case id, kind, status, error
                case createdAt = "created_at"
            }
        }

        func run() async throws {
            try await Ops.run { ops in
                let found = try await ops.user(user)
                let usage = try await UsageRepository(client: ops.postgres, logger: ops.logger).summary(
                    userID: found.id)
                let paymentRows = try await ops.postgres.query(
                    """
                    SELECT id, status, amount_fils, COALESCE(plan_id, addon_id, ''), provider, created_at FROM payments
                    WHERE user_id = \(found.id) ORDER BY created_at DESC LIMIT 10
                    """, logger: ops.logger)
                var payments: [Payment] = []
                for try await (id, status, fils, item, provider, created) in paymentRows.decode(
                    (UUID, String, Int, String, String, Date).self)
                {
                    payments.append(
                        Payment(
                            id: id.lower, status: status, amountJOD: Money.jod(fils: fils), item: item,
                            provider: provider, createdAt: created))
                }
                let jobRows = try await ops.postgres.query(
                    """
                    SELECT id, kind, status, error, created_at FROM jobs
                    WHERE user_id = \(found.id) ORDER BY created_at DESC LIMIT 10
                    """, logger: ops.logger)
                var jobs: [Job] = []
                for try await (id, kind, status, error, created) in jobRows.decode(
                    (UUID, String, String, String?, Date).self)
                {
                    jobs.append(Job(id: id.lower, kind: kind, status: status, error: error, createdAt: created))
                }
                let report = Report(
                    user: Row(
                        id: found.id.lower, email: found.email, active: found.isActive, createdAt: found.createdAt),
                    usage: usage, payments: payments, jobs: jobs)
                if format.json { return try ops.output.json(report) }
                let out = ops.output
                out.fields([
                    ("user", "\(found.email) (\(found.id.lower))"),
                    ("state", found.isActive ? "active" : "BLOCKED"),
                    ("plan", usage.plan.map { "\($0.id) (\(usage.subscriptionStatus ?? ""))" } ?? "none"),
                    ("period", usage.period.map { "\($0.start.iso) → \($0.end.iso)" } ?? "-"),
                    ("tokens", "\(usage.tokens.used) / \(usage.tokens.limit)"),
                    ("images", "\(usage.images.used) / \(usage.images.limit)"),
                    ("videos", "\(usage.videos.used) / \(usage.videos.limit)"),
                ])
                out.line()
                out.line("payments")
                out.table(
                    ["id", "status", "JOD", "item", "provider", "created"],
                    payments.map { [$0.id, $0.status, $0.amountJOD, $0.item, $0.provider, $0.createdAt.iso] })
                out.line()
                out.line("jobs")
                out.table(
                    ["id", "kind", "status", "created", "error"],
                    jobs.map { [$0.id, $0.kind, $0.status, $0.createdAt.iso, $0.error ?? ""] })
            }
        }
    }

    struct Block: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Block a user: every request of theirs is refused with 403 account_blocked at once.")
        @Argument(help: "The user's id or e-mail address.") var user: String
        @OptionGroup var why: Reason

        func run() async throws { try await setActive(user, false, why.reason) }
    }

    struct Unblock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a blocked user in again.")
        @Argument(help: "The user's id or e-mail address.") var user: String
        @OptionGroup var why: Reason

        func run() async throws { try await setActive(user, true, why.reason) }
    }

    static func setActive(_ reference: String, _ active: Bool, _ reason: String) async throws {
        try await Ops.run { ops in
            let found = try await ops.user(reference)
            try await ops.postgres.query(
                "UPDATE users SET is_active = \(active), updated_at = now() WHERE id = \(found.id)", logger: ops.logger)
            try await ops.audit(
                active ? "users.unblock" : "users.block", target: "user:\(found.id.lower)", reason: reason)
            ops.output.line("\(found.email) is \(active ? "active again" : "blocked")")
        }
    }
}
