import Core
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// What every command works with: the database and Redis of the configuration the services read
/// (environment, `.env` in local mode, `aws:secretsmanager:` references resolved), who is operating,
/// and where the output goes.
struct Ops: Sendable {
    let postgres: PostgresClient
    let redis: RedisClient
    let config: ConfigSource
    let operatorName: String
    let output: Output
    let logger: Logger

    /// Tests put their own `Ops` here; otherwise one is built from the environment for the command.
    @TaskLocal static var injected: Ops?

    /// Runs `body` with the injected `Ops`, or with one connected for the duration of the call.
    static func run<T: Sendable>(_ body: (Ops) async throws -> T) async throws -> T {
        if let injected { return try await body(injected) }
        let raw = ConfigSource.load()
        let config = try await SecretResolver.fromEnvironment(raw).resolve(raw)
        var logger = Logger(label: "studioctl")
        logger.logLevel = .warning
        let postgres = PostgresClient(
            settings: try DatabaseSettings(config), maximumConnections: 2, logger: logger)
        let redis = RedisClient(settings: try RedisSettings(config), poolSize: 2, logger: logger)
        let ops = Ops(
            postgres: postgres, redis: redis, config: config, operatorName: operatorName(config), output: Output(),
            logger: logger)
        defer { Task { await redis.shutdown() } }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            return try await body(ops)
        }
    }

    /// `STUDIOCTL_OPERATOR`, else the OS user.
    static func operatorName(_ config: ConfigSource) -> String {
        config["STUDIOCTL_OPERATOR"] ?? ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
    }

    /// Runs `body` in one transaction; an error it throws comes out as it is (not wrapped).
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await postgres.withTransaction(logger: logger) { try await body($0) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }

    /// Records one change in `admin_audit`.
    func audit(_ action: String, target: String, reason: String, details: [String: String] = [:]) async throws {
        let json = String(
            decoding: try JSONSerialization.data(withJSONObject: details, options: .sortedKeys), as: UTF8.self)
        try await postgres.query(
            """
            INSERT INTO admin_audit (operator, action, target, reason, details)
            VALUES (\(operatorName), \(action), \(target), \(reason), \(json)::jsonb)
            """, logger: logger)
    }
}

/// Where the commands print: standard output, or a buffer a test reads.
final class Output: Sendable {
    private let capturing: Bool
    private let captured = Mutex<[String]>([])

    init(capturing: Bool = false) {
        self.capturing = capturing
    }

    func line(_ text: String = "") {
        if capturing {
            captured.withLock { $0.append(text) }
        } else {
            print(text)
        }
    }

    var lines: [String] { captured.withLock { $0 } }
    var text: String { lines.joined(separator: "\n") }

    /// Pretty-printed JSON of `value` (for `--json`).
    func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder.studio
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        line(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// A table for people: a header row and aligned columns.
    func table(_ header: [String], _ rows: [[String]]) {
        guard !rows.isEmpty else {
            line("(none)")
            return
        }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func format(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        line(format(header))
        line(format(widths.map { String(repeating: "-", count: $0) }))
        for row in rows { line(format(row)) }
    }

    /// `key: value` lines.
    func fields(_ pairs: [(String, String)]) {
        let width = pairs.map(\.0.count).max() ?? 0
        for (key, value) in pairs { line(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value) }
    }
}

/// A refusal with a message for the operator; exit status 1.
struct OpsError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Date {
    var iso: String { ISO8601DateFormatter().string(from: self) }
}

extension UUID {
    var lower: String { uuidString.lowercased() }
}
