import Logging

/// Does the work of one job kind. Handlers must be idempotent: delivery is at least once.
public protocol JobHandler: Sendable {
    var kind: JobKind { get }
    func handle(_ job: JobEnvelope, logger: Logger) async throws
}

/// Retry and reclaim timing for a worker.
public struct JobWorkerPolicy: Sendable {
    public var maxAttempts: Int
    public var backoffBase: Duration
    public var backoffMax: Duration
    /// An entry unacknowledged this long belongs to a worker that died; another worker takes it.
    public var reclaimIdle: Duration
    /// How long one read waits for new entries; also bounds how fast a worker notices shutdown.
    public var blockTime: Duration

    public init(
        maxAttempts: Int = 5, backoffBase: Duration = .seconds(2), backoffMax: Duration = .seconds(300),
        reclaimIdle: Duration = .seconds(300), blockTime: Duration = .seconds(1)
    ) {
        self.maxAttempts = maxAttempts
        self.backoffBase = backoffBase
        self.backoffMax = backoffMax
        self.reclaimIdle = reclaimIdle
        self.blockTime = blockTime
    }

    /// base × 2^(attempt-1), capped, with up to 20% jitter so retries of a burst spread out.
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 20)
        let raw = backoffBase * (1 << exponent)
        let capped = raw > backoffMax ? backoffMax : raw
        return capped + capped * Double.random(in: 0...0.2)
    }
}

enum JobScripts {
    /// Acknowledges an entry and, in the same step, re-adds it now (`retry`), later (`delay`) or to
    /// the dead letters (`dead`). Returns 0 if another worker already settled it.
    static let settle = RedisScript(
        """
        local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        if acked == 0 then return 0 end
        redis.call('XDEL', KEYS[1], ARGV[2])
        if ARGV[3] == 'retry' then
          redis.call('XADD', KEYS[1], '*', 'job', ARGV[4])
        elseif ARGV[3] == 'delay' then
          redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4])
        elseif ARGV[3] == 'dead' then
          redis.call('XADD', KEYS[3], 'MAXLEN', '~', '100000', '*', 'job', ARGV[4])
        end
        return 1
        """)

    /// Moves retries whose time has come from the delayed set back onto the stream.
    static let promote = RedisScript(
        """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        for _, member in ipairs(due) do
          redis.call('XADD', KEYS[2], '*', 'job', member)
          redis.call('ZREM', KEYS[1], member)
        end
        return #due
        """)
}
