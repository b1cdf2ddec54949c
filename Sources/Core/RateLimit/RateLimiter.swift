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

    /// One request to count: the keys and arguments of the counting Lua (`countingLua`), made up front so
    /// the count can run inside another script (the gateway counts an AI request with its reservation).
    public struct Count: Sendable {
        public let keys: [String]
        public let arguments: [String]
    }

    public func prepare(_ subject: String, rule: Rule, now: Date = Date()) -> Count {
        let nowMillis = Int64(now.timeIntervalSince1970 * 1000)
        return Count(
            keys: [redis.key("ratelimit:\(subject)"), redis.key(Self.overrideKey(subject))],
            arguments: [
                String(nowMillis), String(rule.window.milliseconds), String(rule.limit),
                "\(nowMillis)-\(UInt32(truncatingIfNeeded: RandomBytes.uint64()))",
            ])
    }

    /// Counts one request for `subject` (e.g. `magic:email:<hash>`) under `rule`, or under the
    /// subject's override when an operator set one (`studioctl limits set`).
    public func hit(_ subject: String, rule: Rule, now: Date = Date()) async throws -> Decision {
        try await hit(prepare(subject, rule: rule, now: now))
    }

    public func hit(_ count: Count) async throws -> Decision {
        let reply = try await redis.eval(Self.script, keys: count.keys, arguments: count.arguments)
        guard let parts = reply.array, parts.count == 3, let allowed = parts[0].int, let value = parts[1].int,
            let limit = parts[2].int
        else {
            throw RedisError.server("unexpected rate-limit reply")
        }
        return allowed == 1 ? .allowed(remaining: Int(value), limit: Int(limit)) : Self.limited(value, limit: limit)
    }

    /// The refusal for a request refused `milliseconds` before a slot frees.
    public static func limited(_ milliseconds: Int64, limit: Int64) -> Decision {
        .limited(retryAfterSeconds: max(1, Int((milliseconds + 999) / 1000)), limit: Int(limit))
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
        countingLua(firstKey: 1, firstArgument: 1, refused: 0) + "return {1, rl_remaining, rl_limit}")

    /// The Lua that counts one request (`Count`): its keys from `KEYS[firstKey]` (the window, then the
    /// override), its arguments from `ARGV[firstArgument]` (now, window, limit, member). A refused request
    /// returns `{refused, milliseconds until a slot frees, limit}` at once; a counted one leaves
    /// `rl_remaining` and `rl_limit` for the rest of the script.
    public static func countingLua(firstKey: Int, firstArgument: Int, refused: Int) -> String {
        let window = "KEYS[\(firstKey)]"
        let override = "KEYS[\(firstKey + 1)]"
        return """
            local rl_now = tonumber(ARGV[\(firstArgument)])
            local rl_window = tonumber(ARGV[\(firstArgument + 1)])
            local rl_limit = tonumber(ARGV[\(firstArgument + 2)])
            local rl_override = tonumber(redis.call('GET', \(override)) or '')
            if rl_override then rl_limit = rl_override end
            redis.call('ZREMRANGEBYSCORE', \(window), '-inf', rl_now - rl_window)
            local rl_count = redis.call('ZCARD', \(window))
            if rl_count >= rl_limit then
              local oldest = redis.call('ZRANGE', \(window), 0, 0, 'WITHSCORES')
              if not oldest[2] then return {\(refused), rl_window, rl_limit} end
              return {\(refused), tonumber(oldest[2]) + rl_window - rl_now, rl_limit}
            end
            redis.call('ZADD', \(window), rl_now, ARGV[\(firstArgument + 3)])
            redis.call('PEXPIRE', \(window), rl_window)
            local rl_remaining = rl_limit - rl_count - 1

            """
    }
}

extension RateLimiter.Decision {
    /// Throws the bilingual 429 when refused.
    public func enforce() throws {
        if case .limited(let seconds, _) = self { throw AppError.rateLimited(retryAfterSeconds: seconds) }
    }
}
