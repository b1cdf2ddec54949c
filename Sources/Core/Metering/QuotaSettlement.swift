import Foundation
import Logging
import PostgresNIO

/// Settles or releases a quota reservation: the gateway when a call ends, the worker when a long
/// job ends. The usage row in PostgreSQL (authoritative) and Redis's move from reserved to used (one
/// Lua step) are written side by side; when the row cannot be written, the Redis move is undone, so the
/// two never disagree and the caller sees the failure.
public struct QuotaSettlement: Sendable {
    let redis: RedisClient
    let postgres: PostgresClient
    let logger: Logger

    public init(redis: RedisClient, postgres: PostgresClient, logger: Logger) {
        self.redis = redis
        self.postgres = postgres
        self.logger = logger
    }

    /// Records `billed` (capped at the reservation) and frees the rest. Returns the period's settled
    /// total, or nil when Redis had lost the counters (the next reservation rebuilds them from the row).
    @discardableResult
    public func settle(
        _ reservation: JobPayloads.Reservation, userID: UUID, billed requested: Int64, model: String,
        meta: [String: String] = [:]
    ) async throws -> Int64? {
        try await settle(reservation, userID: userID, billed: requested, model: model, meta: meta, writing: insert)
            .total
    }

    /// Writes the usage row alone.
    @Sendable public func insert(_ row: UsageRow) async throws {
        for try await _ in try await postgres.execute(row, logger: logger) {}
    }

    /// The same, with the row written by `write` — a caller that saves something else at the same moment
    /// (the gateway's chat turn) writes both in one statement. `written` is what `write` returned, or nil
    /// when nothing was billed and no row was due.
    public func settle<Written: Sendable>(
        _ reservation: JobPayloads.Reservation, userID: UUID, billed requested: Int64, model: String,
        meta: [String: String] = [:], writing write: @escaping @Sendable (UsageRow) async throws -> Written
    ) async throws -> (total: Int64?, written: Written?) {
        let billed = max(0, min(requested, reservation.amount))
        guard billed > 0 else { return (try await move(reservation, billed: 0), nil) }
        let row = UsageRow(
            userID: userID, kind: reservation.kind, amount: billed, model: model,
            meta: String(decoding: try JSONWriter.bytes(meta), as: UTF8.self))
        async let written = Telemetry.query("INSERT usage_logs") { try await write(row) }
        let moved = await Result { try await move(reservation, billed: billed) }
        let result: Written
        do {
            result = try await written
        } catch {
            if case .success(.some) = moved {
                // Not recorded, so not billed: take the amount back off the counter.
                _ = try? await redis.send("HINCRBY", reservation.counterKey, reservation.kind, String(-billed))
            }
            throw error
        }
        return (try moved.get(), result)
    }

    /// Drops the reservation and adds `billed` to the period's counter; nil when the counters are gone.
    private func move(_ reservation: JobPayloads.Reservation, billed: Int64) async throws -> Int64? {
        let reply = try await redis.eval(
            Self.settleScript, keys: [reservation.counterKey, reservation.reservationsKey],
            arguments: [reservation.kind, reservation.member, String(billed)])
        guard let total = reply.int, total >= 0 else { return nil }
        return total
    }

    /// Written after every metered call: prepared once per connection.
    public struct UsageRow: PostgresPreparedStatement {
        public static let sql = """
            INSERT INTO usage_logs (user_id, kind, amount, model, meta_json) VALUES ($1, $2, $3, $4, $5::jsonb)
            """
        public typealias Row = Void
        public let userID: UUID
        public let kind: String
        public let amount: Int64
        public let model: String
        /// `meta_json`, already encoded.
        public let meta: String

        public init(userID: UUID, kind: String, amount: Int64, model: String, meta: String) {
            self.userID = userID
            self.kind = kind
            self.amount = amount
            self.model = model
            self.meta = meta
        }

        public func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 5)
            bindings.append(userID)
            bindings.append(kind)
            bindings.append(amount)
            bindings.append(model)
            bindings.append(meta)
            return bindings
        }

        public func decodeRow(_ row: PostgresRow) throws {}
    }

    /// Gives the reservation back unused.
    public func release(_ reservation: JobPayloads.Reservation) async {
        _ = try? await redis.send("ZREM", reservation.reservationsKey, reservation.member)
    }

    /// Drops the reservation and adds what was billed; -1 when the counters are gone.
    static let settleScript = RedisScript(
        """
        redis.call('ZREM', KEYS[2], ARGV[2])
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        return redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[3])
        """)
}
