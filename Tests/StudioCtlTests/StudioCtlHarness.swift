import ArgumentParser
import Core
import CoreTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import studioctl

/// Runs studioctl commands in-process against a fresh database and a private Redis prefix, as the
/// operator "test-operator", capturing what they print.
struct StudioCtlHarness {
    let postgres: PostgresClient
    let redis: RedisClient
    let config: ConfigSource
    let logger = Logger(label: "studioctl-test")

    static func run(
        extra: [String: String] = [:], _ body: @Sendable (StudioCtlHarness) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { postgres, _ in
            try await TestRedis.withClient { redis in
                var values = ["STUDIOCTL_OPERATOR": "test-operator", "RATE_LIMIT_PER_MINUTE": "60"]
                values.merge(extra) { $1 }
                try await body(StudioCtlHarness(postgres: postgres, redis: redis, config: ConfigSource(values)))
            }
        }
    }

    /// Runs `studioctl ARGS…`; returns what it printed, or throws what the command threw.
    @discardableResult
    func ctl(_ arguments: String...) async throws -> String {
        let output = Output(capturing: true)
        let ops = Ops(
            postgres: postgres, redis: redis, config: config,
            operatorName: Ops.operatorName(config), output: output, logger: logger)
        var command = try StudioCtl.parseAsRoot(arguments)
        try await Ops.$injected.withValue(ops) {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        }
        return output.text
    }

    /// A user with a current subscription of `plan` (30 days from now).
    func user(email: String = "u\(UUID().uuidString.prefix(8).lowercased())@example.jo", plan: String? = "starter")
        async throws -> User
    {
        let (user, _) = try await UserRepository(client: postgres, logger: logger).findOrCreate(email: email)
        if let plan {
            try await UsageRepository(client: postgres, logger: logger).startTrial(
                userID: user.id, planID: plan, days: 30)
        }
        return user
    }

    /// The audit rows, oldest first: (operator, action, target, reason).
    func audit() async throws -> [(String, String, String, String)] {
        let rows = try await postgres.query(
            "SELECT operator, action, target, reason FROM admin_audit ORDER BY created_at, id", logger: logger)
        var found: [(String, String, String, String)] = []
        for try await row in rows.decode((String, String, String, String).self) { found.append(row) }
        return found
    }

    func scalar<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type) async throws -> T? {
        for try await value in try await postgres.query(query, logger: logger).decode(T.self) { return value }
        return nil
    }
}
