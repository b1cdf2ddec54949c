import ArgumentParser
import Core
import Foundation
import PostgresNIO

struct Plans: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Give a user a plan as support credit.", subcommands: [Grant.self])

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a plan for N days, recorded as a subscription with provider `manual`.",
            discussion: """
                A user with an active paid subscription keeps it unless --replace is given (it is then \
                canceled at once); a trial is simply superseded.
                """)
        @Argument(help: "The user's id or e-mail address.") var user: String
        @Argument(help: "starter, pro or creator.") var plan: String
        @Option(help: "How many days (1–366).") var days: Int
        @Flag(help: "Cancel an active paid subscription to make room for this one.") var replace = false
        @OptionGroup var why: Reason

        func validate() throws {
            guard (1...366).contains(days) else { throw ValidationError("--days must be between 1 and 366") }
        }

        func run() async throws {
            try await Ops.run { ops in
                let found = try await ops.user(user)
                guard try await PlanRepository(client: ops.postgres, logger: ops.logger).plan(id: plan) != nil else {
                    throw OpsError("no plan \(plan)")
                }
                let now = Date()
                let end = now.addingTimeInterval(Double(days) * 86_400)
                let id: UUID = try await ops.transaction { connection in
                    let current = try await connection.query(
                        """
                        SELECT id, provider, renews_at FROM subscriptions
                        WHERE user_id = \(found.id) AND status IN ('active', 'past_due') FOR UPDATE
                        """, logger: ops.logger)
                    for try await (existing, provider, renews) in current.decode((UUID, String, Date?).self) {
                        guard replace else {
                            throw OpsError(
                                "\(found.email) has an active \(provider) subscription until \(renews?.iso ?? "?"); "
                                    + "use `usage credit`, or --replace to cancel it")
                        }
                        try await connection.query(
                            """
                            UPDATE subscriptions SET status = 'canceled', updated_at = now() WHERE id = \(existing)
                            """, logger: ops.logger)
                    }
                    let inserted = try await connection.query(
                        """
                        INSERT INTO subscriptions (user_id, plan_id, status, current_period_start, renews_at,
                            cancel_at_period_end, provider, external_ref)
                        VALUES (\(found.id), \(plan), 'active', \(now), \(end), true, 'manual', \("support:" + ops.operatorName))
                        RETURNING id
                        """, logger: ops.logger)
                    for try await id in inserted.decode(UUID.self) { return id }
                    throw OpsError("the subscription was not written")
                }
                try await ops.audit(
                    "plans.grant", target: "user:\(found.id.lower)", reason: why.reason,
                    details: ["plan": plan, "days": String(days), "subscription_id": id.lower, "until": end.iso])
                ops.output.line("\(found.email): \(plan) until \(end.iso) (subscription \(id.lower))")
            }
        }
    }
}

struct Usage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Adjust a user's allowance for this period.", subcommands: [Credit.self])

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case tokens, images, videos

        /// The name `usage_logs` and `addon_credits` use.
        var column: String { self == .videos ? "video" : rawValue }
    }

    struct Credit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add to this period's allowance (a recorded credit; usage_logs are never edited).")
        @Argument(help: "The user's id or e-mail address.") var user: String
        @Argument(help: "tokens, images or videos.") var kind: Kind
        @Argument(help: "How many to add.") var amount: Int64
        @OptionGroup var why: Reason

        func validate() throws {
            guard amount > 0 else { throw ValidationError("the amount must be positive") }
        }

        func run() async throws {
            try await Ops.run { ops in
                let found = try await ops.user(user)
                guard
                    let current = try await UsageRepository(client: ops.postgres, logger: ops.logger)
                        .currentSubscription(userID: found.id)
                else { throw OpsError("\(found.email) has no current plan; grant one with `plans grant`") }
                let inserted = try await ops.postgres.query(
                    """
                    INSERT INTO addon_credits (user_id, addon_id, kind, amount, period_start, period_end, reason)
                    VALUES (\(found.id), NULL, \(kind.column), \(amount), \(current.periodStart), \(current.renewsAt),
                            \(why.reason))
                    RETURNING id
                    """, logger: ops.logger)
                var creditID = ""
                for try await id in inserted.decode(UUID.self) { creditID = id.lower }
                try await ops.audit(
                    "usage.credit", target: "user:\(found.id.lower)", reason: why.reason,
                    details: ["kind": kind.rawValue, "amount": String(amount), "credit_id": creditID])
                ops.output.line(
                    "\(found.email): +\(amount) \(kind.rawValue) until \(current.renewsAt.iso) (credit \(creditID))")
            }
        }
    }
}

struct Limits: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A user's own request rate, and their live counters.",
        subcommands: [SetLimit.self, Reset.self, Show.self])

    static func subject(_ user: User) -> String { "ai:user:\(user.id.lower)" }

    static func rule(_ ops: Ops) throws -> RateLimiter.Rule {
        .init(limit: try ops.config.int("RATE_LIMIT_PER_MINUTE", default: 60, range: 1...100_000), window: .seconds(60))
    }

    struct SetLimit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract:
                "Give the user their own limit of AI requests per minute (the gateway reads it on the next request).")
        @Argument(help: "The user's id or e-mail address.") var user: String
        @Option(help: "Requests per minute (0 stops the user's AI requests).") var rpm: Int
        @OptionGroup var why: Reason

        func validate() throws {
            guard (0...100_000).contains(rpm) else { throw ValidationError("--rpm must be between 0 and 100000") }
        }

        func run() async throws {
            try await Ops.run { ops in
                let found = try await ops.user(user)
                try await RateLimiter(redis: ops.redis).setOverride(Limits.subject(found), limit: rpm)
                try await ops.audit(
                    "limits.set", target: "user:\(found.id.lower)", reason: why.reason, details: ["rpm": String(rpm)])
                ops.output.line("\(found.email): \(rpm) AI requests a minute")
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Back to the default rate for everyone.")
        @Argument(help: "The user's id or e-mail address.") var user: String
        @OptionGroup var why: Reason

        func run() async throws {
            try await Ops.run { ops in
                let found = try await ops.user(user)
                try await RateLimiter(redis: ops.redis).setOverride(Limits.subject(found), limit: nil)
                try await ops.audit("limits.reset", target: "user:\(found.id.lower)", reason: why.reason)
                ops.output.line("\(found.email): default rate (\(try Limits.rule(ops).limit) a minute)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The rate window and quota counters in Redis next to the figures in PostgreSQL.")
        @Argument(help: "The user's id or e-mail address.") var user: String
        @OptionGroup var format: JSONFlag

        struct Report: Codable {
            struct Meter: Codable {
                let kind: String
                let postgresUsed: Int64
                let limit: Int64
                let redisSettled: Int64?
                let redisReserved: Int

                enum CodingKeys: String, CodingKey {
                    case kind, limit
                    case postgresUsed = "postgres_used"
                    case redisSettled = "redis_settled"
                    case redisReserved = "redis_reserved"
                }
            }

            let user: String
            let rpmDefault: Int
            let rpmOverride: Int?
            let requestsThisMinute: Int
            let meters: [Meter]

            enum CodingKeys: String, CodingKey {
                case user, meters
                case rpmDefault = "rpm_default"
                case rpmOverride = "rpm_override"
                case requestsThisMinute = "requests_this_minute"
            }
        }

        func run() async throws {
            try await Ops.run { ops in
                let found = try await ops.user(user)
                let rule = try Limits.rule(ops)
                let state = try await RateLimiter(redis: ops.redis).state(Limits.subject(found), rule: rule)
                let usage = try await UsageRepository(client: ops.postgres, logger: ops.logger).summary(
                    userID: found.id)
                var meters: [Report.Meter] = []
                // The gateway's counters for this period: usage:<user>:<period start> and its reservations.
                let base = usage.period.map {
                    ops.redis.key("usage:\(found.id.lower):\(Int($0.start.timeIntervalSince1970))")
                }
                for (kind, meter) in [("tokens", usage.tokens), ("images", usage.images), ("video", usage.videos)] {
                    var settled: Int64?
                    var reserved = 0
                    if let base {
                        let replies = try await ops.redis.pipeline([
                            ["HGET", base, kind], ["ZCARD", base + ":res:" + kind],
                        ])
                        settled = replies[0].string.flatMap(Int64.init)
                        reserved = Int(replies[1].int ?? 0)
                    }
                    meters.append(
                        .init(
                            kind: kind, postgresUsed: meter.used, limit: meter.limit, redisSettled: settled,
                            redisReserved: reserved))
                }
                let report = Report(
                    user: found.email, rpmDefault: rule.limit, rpmOverride: state.override,
                    requestsThisMinute: state.inWindow, meters: meters)
                if format.json { return try ops.output.json(report) }
                ops.output.fields([
                    ("user", found.email),
                    (
                        "rate",
                        state.override.map { "\($0)/min (own limit; default \(rule.limit))" }
                            ?? "\(rule.limit)/min (default)"
                    ),
                    ("this minute", String(state.inWindow)),
                ])
                ops.output.line()
                ops.output.table(
                    ["kind", "used (PostgreSQL)", "settled (Redis)", "reserved (Redis)", "limit"],
                    meters.map {
                        [
                            $0.kind, String($0.postgresUsed), $0.redisSettled.map(String.init) ?? "-",
                            String($0.redisReserved), String($0.limit),
                        ]
                    })
            }
        }
    }
}
