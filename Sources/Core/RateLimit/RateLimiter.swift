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
        case allowed(remaining: Int)
        case limited(retryAfterSeconds: Int)
    }

    let redis: RedisClient

    public init(redis: RedisClient) {
        self.redis = redis
    }

    /// Counts one request for `subject` (e.g. `magic:email:<hash>`) under `rule`.
    public func hit(_ subject: String, rule: Rule, now: Date = Date()) async throws -> Decision {
        let nowMillis = Int64(now.timeIntervalSince1970 * 1000)
        let reply = try await redis.eval(
            Self.script, keys: [redis.key("ratelimit:\(subject)")],
            arguments: [
                String(nowMillis), String(rule.window.milliseconds), String(rule.limit),
                "\(nowMillis)-\(UInt32.random(in: 0...UInt32.max))",
            ])
        guard let parts = reply.array, parts.count == 2, let allowed = parts[0].int, let value = parts[1].int else {
            throw RedisError.server("unexpected rate-limit reply")
        }
        if allowed == 1 { return .allowed(remaining: Int(value)) }
        return .limited(retryAfterSeconds: max(1, Int((value + 999) / 1000)))
    }

    /// Returns {1, remaining} when counted, {0, milliseconds until a slot frees} when refused.
    static let script = RedisScript(
        """
        local now = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local limit = tonumber(ARGV[3])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        local count = redis.call('ZCARD', KEYS[1])
        if count >= limit then
          local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
          return {0, tonumber(oldest[2]) + window - now}
        end
        redis.call('ZADD', KEYS[1], now, ARGV[4])
        redis.call('PEXPIRE', KEYS[1], window)
        return {1, limit - count - 1}
        """)
}

extension RateLimiter.Decision {
    /// Throws the bilingual 429 when refused.
    public func enforce() throws {
        if case .limited(let seconds) = self { throw AppError.rateLimited(retryAfterSeconds: seconds) }
    }
}
