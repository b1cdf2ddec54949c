import Core
import Foundation
import Logging
import Metrics
import PostgresNIO
import Synchronization

/// The wallet state a response reports.
struct QuotaState: Codable, Sendable, Equatable {
    let kind: String
    let used: Int64
    let limit: Int64
    let percent: Int
    let warn: Bool
    let blocked: Bool

    init(kind: UsageKind, used: Int64, limit: Int64, warnAt: Double) {
        let meter = UsageMeter(used: used, limit: limit, warnAt: warnAt)
        self.kind = kind == .video ? "videos" : kind.rawValue
        self.used = used
        self.limit = limit
        percent = meter.percent
        warn = meter.warn
        blocked = meter.blocked
    }

    /// The same fields as its `Codable` form, for answers written with `JSONWriter`.
    var jsonObject: [String: Any] {
        ["kind": kind, "used": used, "limit": limit, "percent": percent, "warn": warn, "blocked": blocked]
    }
}

/// Reserve → call → settle against the user's current period, atomically in Redis (Lua), with
/// PostgreSQL's `usage_logs` as the authoritative record. A reservation that is never settled
/// (the process died) expires by itself.
struct QuotaLedger: Sendable {
    let redis: RedisClient
    let usage: UsageRepository
    let postgres: PostgresClient
    let warnAt: Double
    let upgradeURL: String
    let reservationLifetime: Duration
    let logger: Logger
    let walletCache = WalletCache()

    struct Reservation: Sendable {
        let userID: UUID
        let kind: UsageKind
        let amount: Int64
        let member: String
        let counterKey: String
        let reservationsKey: String
        let limit: Int64
        /// Used plus reserved, this reservation included.
        let committed: Int64
    }

    struct Wallet: Codable, Sendable {
        let periodStart: Date
        let periodEnd: Date
        let limits: [String: Int64]
        /// The plan's largest input per request, in tokens (Starter 8k, Pro 32k, Creator 128k).
        var maxInputTokens: Int? = nil
    }

    /// Reserves `amount` of `kind`, or throws 402 `quota_exceeded` (also when there is no current plan).
    /// With `admission`, the request is also counted for the rate limit in the same Redis call (when nobody
    /// has counted it yet): a refused request reserves nothing and throws the 429.
    func reserve(
        userID: UUID, kind: UsageKind, amount: Int64, lifetime: Duration? = nil, admission: Admission? = nil
    ) async throws -> Reservation {
        var count = admission?.claim()
        do {
            guard let wallet = try await wallet(userID: userID), let limit = wallet.limits[kind.rawValue] else {
                Self.countRefusal(kind)
                throw AppError.quotaExceeded(upgradeURL: upgradeURL)
            }
            let base = redis.key(
                "usage:\(userID.uuidString.lowercased()):\(Int(wallet.periodStart.timeIntervalSince1970))")
            let counterKey = base
            let reservationsKey = base + ":res:" + kind.rawValue
            let member = "\(RandomBytes.uuid().uuidString.lowercased()):\(amount)"
            for _ in 0..<2 {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                let keys = [counterKey, reservationsKey]
                let arguments = [
                    kind.rawValue, String(amount), String(limit), String(now),
                    String(now + (lifetime ?? reservationLifetime).components.seconds * 1000), member,
                ]
                var parts: [RedisValue]
                if let pending = count, let admission {
                    count = nil
                    parts =
                        try await redis.eval(
                            Self.countAndReserveScript, keys: keys + pending.keys,
                            arguments: arguments + pending.arguments
                        ).array ?? []
                    if parts.count == 3, parts[0].int == -2 {
                        // Refused by the rate limit: nothing was reserved.
                        let decision = RateLimiter.limited(parts[1].int ?? 0, limit: parts[2].int ?? 0)
                        admission.decide(.success(decision))
                        try decision.enforce()
                    }
                    guard parts.count == 5, let remaining = parts[3].int, let rateLimit = parts[4].int else {
                        throw RedisError.server("unexpected quota reply")
                    }
                    admission.decide(.success(.allowed(remaining: Int(remaining), limit: Int(rateLimit))))
                    parts.removeLast(2)
                } else {
                    parts = try await redis.eval(Self.reserveScript, keys: keys, arguments: arguments).array ?? []
                }
                guard parts.count == 3, let status = parts[0].int else {
                    throw RedisError.server("unexpected quota reply")
                }
                switch status {
                case 1:
                    let committed = (parts[1].int ?? 0) + (parts[2].int ?? 0)
                    return Reservation(
                        userID: userID, kind: kind, amount: amount, member: member, counterKey: counterKey,
                        reservationsKey: reservationsKey, limit: limit, committed: committed)
                case 0:
                    Self.countRefusal(kind)
                    throw AppError.quotaExceeded(upgradeURL: upgradeURL)
                default:
                    try await rebuildCounters(userID: userID, key: counterKey, periodEnd: wallet.periodEnd)
                }
            }
            throw AppError.serviceUnavailable
        } catch {
            // The rate limit waits on a claimed count: one that never reached Redis (no plan to reserve from,
            // the wallet unreadable) runs on its own; one whose call failed is answered with the failure.
            if let admission {
                if let pending = count { await admission.count(pending) } else { admission.decide(.failure(error)) }
            }
            throw error
        }
    }

    /// `quota_refusals_total{kind}`: requests refused with 402 before any provider call.
    static func countRefusal(_ kind: UsageKind) {
        Counter(label: "quota_refusals_total", dimensions: [("kind", kind.rawValue)]).increment()
    }

    /// Records what was actually used (capped at the reservation) and frees the rest.
    @discardableResult
    func settle(_ reservation: Reservation, actual: Int64, model: String, meta: [String: String] = [:]) async throws
        -> QuotaState
    {
        let settlement = QuotaSettlement(redis: redis, postgres: postgres, logger: logger)
        return try await settle(reservation, actual: actual, model: model, meta: meta, writing: settlement.insert).0
    }

    /// The same, with the usage row written by `write` (together with something else, in one statement);
    /// also returns what `write` returned, nil when nothing was billed and it was not called.
    func settle<Written: Sendable>(
        _ reservation: Reservation, actual: Int64, model: String, meta: [String: String] = [:],
        writing write: @escaping @Sendable (QuotaSettlement.UsageRow) async throws -> Written
    ) async throws -> (QuotaState, Written?) {
        let billed = max(0, min(actual, reservation.amount))
        let (settled, written) = try await QuotaSettlement(redis: redis, postgres: postgres, logger: logger).settle(
            reference(reservation), userID: reservation.userID, billed: billed, model: model, meta: meta,
            writing: write)
        let used = settled ?? reservation.committed - reservation.amount + billed
        return (QuotaState(kind: reservation.kind, used: used, limit: reservation.limit, warnAt: warnAt), written)
    }

    /// What a worker needs to settle this reservation when a long job ends.
    func reference(_ reservation: Reservation) -> JobPayloads.Reservation {
        JobPayloads.Reservation(
            kind: reservation.kind.rawValue, amount: reservation.amount, member: reservation.member,
            counterKey: reservation.counterKey, reservationsKey: reservation.reservationsKey)
    }

    /// Gives the reservation back unused (the call failed or was refused).
    func release(_ reservation: Reservation) async {
        await QuotaSettlement(redis: redis, postgres: postgres, logger: logger).release(reference(reservation))
    }

    /// The period and limits of the user's current subscription. Kept in this process for a few
    /// seconds (`WalletCache`): a plan bought or an add-on credited shows up within that time. When the
    /// entry has expired, one request per user reads it again and the others wait for that read.
    func wallet(userID: UUID) async throws -> Wallet? {
        if let cached = walletCache.get(userID) { return cached.periodEnd > Date() ? cached : nil }
        return try await walletCache.load(userID) { [usage] in
            guard let allowance = try await usage.allowance(userID: userID) else { return nil }
            return Wallet(
                periodStart: allowance.periodStart, periodEnd: allowance.periodEnd, limits: allowance.limits,
                maxInputTokens: allowance.plan.features.maxInputTokens)
        }
    }

    /// Rebuilds the settled counters of the period from `usage_logs` (Redis lost them).
    private func rebuildCounters(userID: UUID, key: String, periodEnd: Date) async throws {
        let summary = try await usage.summary(userID: userID)
        _ = try await redis.pipeline([
            ["HSETNX", key, "tokens", String(summary.tokens.used)],
            ["HSETNX", key, "images", String(summary.images.used)],
            ["HSETNX", key, "video", String(summary.videos.used)],
            ["EXPIREAT", key, String(Int(periodEnd.timeIntervalSince1970) + 86_400)],
        ])
        logger.info("quota counters rebuilt from usage_logs", metadata: ["user_id": "\(userID)"])
    }

    /// {1, used, reserved} when reserved; {0, used, reserved} when it would pass the limit;
    /// {-1, 0, 0} when the counters are missing and must be rebuilt first.
    static let reserveScript = RedisScript(reserveLua(returning: ""))

    /// The rate limit's count (`KEYS[3]`, `KEYS[4]`, `ARGV[7]`…, see `RateLimiter.countingLua`), then the
    /// reservation: {-2, milliseconds until a slot frees, limit} when the rate limit refuses (nothing
    /// reserved); otherwise the reservation's answer followed by the requests remaining and the limit.
    static let countAndReserveScript = RedisScript(
        RateLimiter.countingLua(firstKey: 3, firstArgument: 7, refused: -2)
            + reserveLua(returning: ", rl_remaining, rl_limit"))

    private static func reserveLua(returning extra: String) -> String {
        """
        if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, 0, 0\(extra)} end
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
        local reserved = 0
        for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
          reserved = reserved + tonumber(string.match(member, ':(%d+)$'))
        end
        local used = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
        local amount = tonumber(ARGV[2])
        if used + reserved + amount > tonumber(ARGV[3]) then return {0, used, reserved\(extra)} end
        redis.call('ZADD', KEYS[2], ARGV[5], ARGV[6])
        redis.call('PEXPIREAT', KEYS[2], ARGV[5])
        return {1, used, reserved + amount\(extra)}
        """
    }
}

/// Recently read wallets, per process: saves the subscription and add-on queries on every request.
final class WalletCache: Sendable {
    private let entries = Mutex<[UUID: (wallet: QuotaLedger.Wallet, expires: ContinuousClock.Instant)]>([:])
    private let loading = Mutex<[UUID: Task<QuotaLedger.Wallet?, any Error>]>([:])
    let lifetime: Duration
    let capacity: Int

    init(lifetime: Duration = .seconds(10), capacity: Int = 50_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func get(_ userID: UUID) -> QuotaLedger.Wallet? {
        entries.withLock { entries in
            guard let entry = entries[userID], entry.expires > .now else { return nil }
            return entry.wallet
        }
    }

    func set(_ userID: UUID, _ wallet: QuotaLedger.Wallet) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[userID] = (wallet, .now + lifetime)
        }
    }

    /// Reads the user's wallet with `read` and keeps it; a read already under way for the user is
    /// joined instead of starting another (when an entry expires under traffic, every request of that
    /// user would otherwise read it at once).
    func load(_ userID: UUID, _ read: @escaping @Sendable () async throws -> QuotaLedger.Wallet?) async throws
        -> QuotaLedger.Wallet?
    {
        let task = loading.withLock { loading in
            if let running = loading[userID] { return running }
            let task = Task<QuotaLedger.Wallet?, any Error> {
                defer { self.loading.withLock { $0[userID] = nil } }
                let wallet = try await read()
                if let wallet { self.set(userID, wallet) }
                return wallet
            }
            loading[userID] = task
            return task
        }
        return try await task.value
    }
}
