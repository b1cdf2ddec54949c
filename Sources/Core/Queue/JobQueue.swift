import Foundation
import Tracing

/// The producer side of the job queues (Redis Streams), and their statistics.
public struct JobQueue: Sendable {
    public static let group = "workers"
    let redis: RedisClient

    public init(redis: RedisClient) {
        self.redis = redis
    }

    struct Keys {
        let stream: String
        let delayed: String
        let dead: String
    }

    func keys(_ queue: JobQueueName) -> Keys {
        let base = redis.key("queue:\(queue.rawValue)")
        return Keys(stream: base, delayed: base + ":delayed", dead: base + ":dead")
    }

    /// Adds a job; returns the envelope id. The current trace (or `traceparent`) travels with it.
    @discardableResult
    public func enqueue<Payload: Encodable>(
        _ kind: JobKind, payload: Payload, id: String = UUID().uuidString.lowercased(), traceparent: String? = nil
    ) async throws -> String {
        let payloadJSON = String(decoding: try JSONEncoder.studio.encode(payload), as: UTF8.self)
        // A producer span: the job's consumer span in the worker becomes its child.
        return try await Telemetry.span("enqueue \(kind.rawValue)", kind: .producer) { span in
            span?.attributes["messaging.system"] = "redis"
            span?.attributes["messaging.destination.name"] = kind.queue.rawValue
            span?.attributes["messaging.message.id"] = id
            let trace = traceparent ?? TraceContext.outgoing.traceparent
            let envelope = JobEnvelope(id: id, kind: kind, payload: payloadJSON, traceparent: trace)
            try await redis.send("XADD", keys(kind.queue).stream, "*", "job", try envelope.encoded())
            return id
        }
    }

    /// Adds a prepared envelope as it is (an operator's retry of a recorded job).
    public func enqueue(_ envelope: JobEnvelope) async throws {
        try await redis.send("XADD", keys(envelope.kind.queue).stream, "*", "job", try envelope.encoded())
    }

    /// Adds a job that becomes visible after `delay` (polling a provider's long-running operation).
    public func enqueue<Payload: Encodable>(
        _ kind: JobKind, payload: Payload, id: String, after delay: Duration, traceparent: String? = nil
    ) async throws {
        let payloadJSON = String(decoding: try JSONEncoder.studio.encode(payload), as: UTF8.self)
        let trace = traceparent ?? TraceContext.outgoing.traceparent
        let envelope = JobEnvelope(id: id, kind: kind, payload: payloadJSON, traceparent: trace)
        let due =
            Int64(Date().timeIntervalSince1970 * 1000) + delay.components.seconds * 1000
            + delay.components.attoseconds / 1_000_000_000_000_000
        try await redis.send("ZADD", keys(kind.queue).delayed, String(due), try envelope.encoded())
    }

    public struct Stats: Sendable, Equatable, Codable {
        public let queue: String
        /// Entries in the stream: waiting plus being worked on.
        public let length: Int
        /// Delivered to a worker and not yet acknowledged.
        public let pending: Int
        /// Failed once, waiting for their retry time.
        public let delayed: Int
        public let dead: Int

        public init(queue: String, length: Int, pending: Int, delayed: Int, dead: Int) {
            self.queue = queue
            self.length = length
            self.pending = pending
            self.delayed = delayed
            self.dead = dead
        }
    }

    public func stats(_ queue: JobQueueName) async throws -> Stats {
        let k = keys(queue)
        let replies = try await redis.pipeline([
            ["XLEN", k.stream], ["XPENDING", k.stream, Self.group], ["ZCARD", k.delayed], ["XLEN", k.dead],
        ])
        let pending = replies[1].array?.first?.int ?? 0
        return Stats(
            queue: queue.rawValue, length: Int(replies[0].int ?? 0), pending: Int(pending),
            delayed: Int(replies[2].int ?? 0), dead: Int(replies[3].int ?? 0))
    }

    /// The newest dead letters, newest first.
    public func deadLetters(_ queue: JobQueueName, count: Int = 50) async throws -> [JobEnvelope] {
        let reply = try await redis.send("XREVRANGE", keys(queue).dead, "+", "-", "COUNT", String(count))
        return (reply.array ?? []).compactMap { entry in
            StreamEntry(entry).flatMap { $0.fields["job"] }.flatMap { try? JobEnvelope.decode($0) }
        }
    }
}

extension JobQueue {
    /// Moves the dead letters of `kind` back onto their queue with a fresh attempt count, each in
    /// one atomic step; dead letters of other kinds stay. Returns the envelopes moved.
    public func requeueDead(_ kind: JobKind) async throws -> [JobEnvelope] {
        let k = keys(kind.queue)
        let reply = try await redis.send("XRANGE", k.dead, "-", "+")
        var moved: [JobEnvelope] = []
        for entry in (reply.array ?? []).compactMap(StreamEntry.init) {
            guard let raw = entry.fields["job"], var envelope = try? JobEnvelope.decode(raw), envelope.kind == kind
            else { continue }
            envelope.attempt = 0
            let result = try await redis.eval(
                Self.moveScript, keys: [k.dead, k.stream], arguments: [entry.id, try envelope.encoded()])
            if result.int == 1 { moved.append(envelope) }
        }
        return moved
    }

    /// Deletes the dead letter and adds the job to the stream, or does nothing if the letter is gone.
    static let moveScript = RedisScript(
        """
        if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
        redis.call('XADD', KEYS[2], '*', 'job', ARGV[2])
        return 1
        """)
}

/// One stream entry: id and field map.
struct StreamEntry {
    let id: String
    let fields: [String: String]

    init?(_ value: RedisValue) {
        guard let parts = value.array, parts.count == 2, let id = parts[0].string, let flat = parts[1].array else {
            return nil
        }
        var fields: [String: String] = [:]
        var index = 0
        while index + 1 < flat.count {
            if let key = flat[index].string, let value = flat[index + 1].string { fields[key] = value }
            index += 2
        }
        self.id = id
        self.fields = fields
    }
}

extension JobQueue {
    /// Records a user's job (`jobs` row, status queued) and queues it under the same id, so its state can be
    /// followed at `GET /v1/jobs/{id}`.
    public func start<Payload: Encodable>(
        _ kind: JobKind, id: UUID, userID: UUID, payload: Payload, jobs: JobRepository
    ) async throws -> JobRecord {
        let json = String(decoding: try JSONEncoder.studio.encode(payload), as: UTF8.self)
        let job = try await jobs.create(id: id, kind: kind, userID: userID, payloadJSON: json)
        try await enqueue(kind, payload: payload, id: id.uuidString.lowercased())
        return job
    }
}
