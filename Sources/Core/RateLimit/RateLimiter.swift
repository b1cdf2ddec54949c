import Foundation

/// A sliding-window limit in Redis: the same Lua step that counts a request decides whether it
/// is allowed, so concurrent requests can never overshoot.
public struct RateLimiter: Sendable {
    public struct Rule: Sendable, Equatable {
        public let limit: Int
        public let window: Duration

        public init(limit: Int, window: Duration) {
            self.limit = limit
            self.window = window
        }
    }

    public enum Decision: Sendable, Equatable {
        case allowed(remaining: Int, limit: Int)
        case limited(retryAfterSeconds: Int, limit: Int)
    }

    let redis: RedisClient

    public init(redis: RedisClient) {
        self.redis = redis
    }

    /// Counts one request for `subject` (e.g. `magic:email:<hash>`) under `rule`, or under the
    /// subject's override when an operator set one (`studioctl limits set`).
    public func hit(_ subject: String, rule: Rule, now: Date = Date()) async throws -> Decision {
        let nowMillis = Int64(now.timeIntervalSince1970 * 1000)
        let reply = try await redis.eval(
            Self.script, keys: [redis.key("ratelimit:\(subject)"), redis.key(Self.overrideKey(subject))],
            arguments: [
                String(nowMillis), String(rule.window.milliseconds), String(rule.limit),
                "\(nowMillis)-\(UInt32(truncatingIfNeeded: RandomBytes.uint64()))",
            ])
        guard let parts = reply.array, parts.count == 3, let allowed = parts[0].int, let value = parts[1].int,
            let limit = parts[2].int
        else {
            throw RedisError.server("unexpected rate-limit reply")
        }
        if allowed == 1 { return .allowed(remaining: Int(value), limit: Int(limit)) }
        return .limited(retryAfterSeconds: max(1, Int((value + 999) / 1000)), limit: Int(limit))
    }

    /// Where an operator's per-subject limit (requests per window) is kept.
    public static func overrideKey(_ subject: String) -> String { "ratelimit-override:\(subject)" }

    /// Sets (or, with nil, removes) the subject's own limit.
    public func setOverride(_ subject: String, limit: Int?) async throws {
        if let limit {
            _ = try await redis.send("SET", redis.key(Self.overrideKey(subject)), String(limit))
        } else {
            _ = try await redis.send("DEL", redis.key(Self.overrideKey(subject)))
        }
    }

    /// The subject's override, and how many requests its current window holds.
    public func state(_ subject: String, rule: Rule, now: Date = Date()) async throws -> (override: Int?, inWindow: Int)
    {
        let nowMillis = Int64(now.timeIntervalSince1970 * 1000)
        let replies = try await redis.pipeline([
            ["GET", redis.key(Self.overrideKey(subject))],
            [
                "ZCOUNT", redis.key("ratelimit:\(subject)"), "(" + String(nowMillis - rule.window.milliseconds), "+inf",
            ],
        ])
        return (replies[0].string.flatMap(Int.init), Int(replies[1].int ?? 0))
    }

    /// Returns {1, remaining, limit} when counted, {0, milliseconds until a slot frees, limit} when refused.
    static let script = RedisScript(
        """
        local now = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local limit = tonumber(ARGV[3])
        local override = tonumber(redis.call('GET', KEYS[2]) or '')
        if override then limit = override end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        local count = redis.call('ZCARD', KEYS[1])
        if count >= limit then
          local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
          if not oldest[2] then return {0, window, limit} end
          return {0, tonumber(oldest[2]) + window - now, limit}
        end
        redis.call('ZADD', KEYS[1], now, ARGV[4])
        redis.call('PEXPIRE', KEYS[1], window)
        return {1, limit - count - 1, limit}
        """)
}

extension RateLimiter.Decision {
    /// Throws the bilingual 429 when refused.
    public func enforce() throws {
        if case .limited(let seconds, _) = self { throw AppError.rateLimited(retryAfterSeconds: seconds) }
    }
}
