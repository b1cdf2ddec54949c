import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import Tracing

/// The consumer side of the job queues: reads with a consumer group, runs handlers, retries with
/// backoff, dead-letters what keeps failing, and reclaims entries from workers that died.
public final class JobWorker: Service, Sendable {
    public typealias DeadLetterHook = @Sendable (JobEnvelope, String) async -> Void

    private let queue: JobQueue
    private let redis: RedisClient
    private let handlers: [JobKind: any JobHandler]
    private let concurrency: [JobQueueName: Int]
    private let policy: JobWorkerPolicy
    private let consumerName: String
    private let onDeadLetter: DeadLetterHook?
    private let prepare: (@Sendable () async throws -> Void)?
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    private let telemetry: Telemetry

    public init(
        redis: RedisClient, handlers: [any JobHandler], concurrency: [JobQueueName: Int],
        policy: JobWorkerPolicy = .init(),
        consumerName: String = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)",
        onDeadLetter: DeadLetterHook? = nil, prepare: (@Sendable () async throws -> Void)? = nil,
        telemetry: Telemetry = .off, logger: Logger
    ) {
        self.telemetry = telemetry
        self.prepare = prepare
        self.redis = redis
        self.queue = JobQueue(redis: redis)
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { _, last in last })
        self.concurrency = concurrency.filter { $0.value > 0 }
        self.policy = policy
        self.consumerName = consumerName
        self.onDeadLetter = onDeadLetter
        self.logger = logger
    }

    /// Runs `prepare` (e.g. migrations the handlers rely on), then consumes until graceful shutdown
    /// (or cancellation); jobs in hand are finished first.
    public func run() async throws {
        try await prepare?()
        for name in concurrency.keys { try await ensureGroup(name) }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for (name, count) in concurrency {
                    for index in 0..<count {
                        group.addTask {
                            await self.loop(name, consumer: "\(self.consumerName)-\(name.rawValue)-\(index)")
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    /// Asks every loop to stop after the job it is running.
    public func stop() { stopping.store(true, ordering: .relaxed) }

    private var shouldStop: Bool { stopping.load(ordering: .relaxed) || Task.isCancelled }

    func ensureGroup(_ name: JobQueueName) async throws {
        do {
            try await redis.send("XGROUP", "CREATE", queue.keys(name).stream, JobQueue.group, "0", "MKSTREAM")
        } catch RedisError.server(let message) where message.hasPrefix("BUSYGROUP") {
            return
        }
    }

    private func loop(_ name: JobQueueName, consumer: String) async {
        let keys = queue.keys(name)
        var lastReclaim = ContinuousClock.now - policy.reclaimIdle
        while !shouldStop {
            do {
                try await redis.eval(
                    JobScripts.promote, keys: [keys.delayed, keys.stream],
                    arguments: [String(Int64(Date().timeIntervalSince1970 * 1000)), "100"])
                if ContinuousClock.now - lastReclaim >= policy.reclaimIdle / 4 {
                    lastReclaim = .now
                    try await reclaim(name, keys: keys, consumer: consumer)
                }
                let reply = try await redis.send(
                    "XREADGROUP", "GROUP", JobQueue.group, consumer, "COUNT", "1", "BLOCK",
                    String(policy.blockTime.milliseconds), "STREAMS", keys.stream, ">")
                for streamReply in reply.array ?? [] {
                    for raw in streamReply.array?.last?.array ?? [] {
                        guard let entry = StreamEntry(raw) else { continue }
                        await process(entry, keys: keys, consumer: consumer)
                    }
                }
            } catch {
                if shouldStop { break }
                logger.warning("job queue read failed", metadata: ["queue": "\(name.rawValue)", "error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// Takes over entries idle for longer than `reclaimIdle`: their worker died. Each counts as a failed attempt,
    /// so a job that kills its worker every time still ends among the dead letters.
    private func reclaim(_ name: JobQueueName, keys: JobQueue.Keys, consumer: String) async throws {
        let reply = try await redis.send(
            "XAUTOCLAIM", keys.stream, JobQueue.group, consumer, String(policy.reclaimIdle.milliseconds), "0-0",
            "COUNT", "50")
        guard let claimed = reply.array?.dropFirst().first?.array else { return }
        for raw in claimed {
            guard let entry = StreamEntry(raw) else { continue }
            guard let text = entry.fields["job"], var envelope = try? JobEnvelope.decode(text) else {
                try await settle(entry.id, keys: keys, mode: "dead", envelope: entry.fields["job"] ?? "{}")
                continue
            }
            envelope.attempt += 1
            envelope.lastError = "the worker running this job stopped"
            logger.warning(
                "job reclaimed from a stopped worker",
                metadata: [
                    "job_id": "\(envelope.id)", "kind": "\(envelope.kind.rawValue)", "attempt": "\(envelope.attempt)",
                ])
            try await failOrRetry(entry.id, envelope: envelope, keys: keys, immediate: true)
        }
    }

    private func process(_ entry: StreamEntry, keys: JobQueue.Keys, consumer: String) async {
        guard let text = entry.fields["job"], let envelope = try? JobEnvelope.decode(text) else {
            logger.error("unreadable job entry dead-lettered", metadata: ["entry": "\(entry.id)"])
            try? await settle(entry.id, keys: keys, mode: "dead", envelope: entry.fields["job"] ?? "{}")
            return
        }
        let untraced = envelope.traceparent.flatMap(TraceContext.init(traceparent:))?.child() ?? .newRoot()
        guard telemetry.tracer != nil else {
            await execute(entry, envelope: envelope, keys: keys, consumer: consumer, trace: untraced, span: nil)
            return
        }
        // A consumer span, child of the span that enqueued the job (a gateway request, say).
        await telemetry.run {
            await Telemetry.entrySpan(
                "job \(envelope.kind.rawValue)", kind: .consumer, parent: envelope.traceparent
            ) { span in
                span.updateAttributes { attributes in
                    attributes["messaging.system"] = "redis"
                    attributes["messaging.destination.name"] = envelope.kind.queue.rawValue
                    attributes["messaging.message.id"] = envelope.id
                    attributes["job.kind"] = envelope.kind.rawValue
                    attributes["job.attempt"] = envelope.attempt + 1
                }
                await execute(
                    entry, envelope: envelope, keys: keys, consumer: consumer, trace: TraceContext.current ?? untraced,
                    span: span)
            }
        }
    }

    private func execute(
        _ entry: StreamEntry, envelope: JobEnvelope, keys: JobQueue.Keys, consumer: String, trace: TraceContext,
        span: (any Span)?
    ) async {
        var jobLogger = logger
        jobLogger[metadataKey: "job_id"] = .string(envelope.id)
        jobLogger[metadataKey: "kind"] = .string(envelope.kind.rawValue)
        jobLogger[metadataKey: "trace_id"] = .string(trace.traceID)
        guard let handler = handlers[envelope.kind] else {
            await deadLetter(
                entry.id, envelope: envelope, reason: "no handler for \(envelope.kind.rawValue)", keys: keys)
            return
        }
        let started = ContinuousClock.now
        // The stream entry id starts with the time Redis added it (ms): how long the job waited in the queue.
        let waitedMs = Self.millisecondsSince(entryID: entry.id)
        if let waitedMs {
            Metrics.Timer(label: "job_queue_wait_seconds", dimensions: [("kind", envelope.kind.rawValue)])
                .recordMilliseconds(waitedMs)
        }
        let outcome: String
        do {
            try await withHeartbeat(entry.id, keys: keys, consumer: consumer) {
                try await TraceContext.$current.withValue(trace) {
                    try await handler.handle(envelope, logger: jobLogger)
                }
            }
            try await settle(entry.id, keys: keys, mode: "ack", envelope: "")
            outcome = "done"
            let elapsed = ContinuousClock.now - started
            jobLogger.info(
                "job done",
                metadata: [
                    "attempt": "\(envelope.attempt + 1)", "queue_ms": "\(waitedMs.map(String.init) ?? "-")",
                    "run_ms":
                        "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
                ])
        } catch let failure as JobFailure {
            span?.fail(failure)
            outcome = "dead"
            await deadLetter(entry.id, envelope: envelope, reason: failure.description, keys: keys)
        } catch {
            var next = envelope
            next.attempt += 1
            next.lastError = String(describing: error)
            outcome = next.attempt >= policy.maxAttempts ? "dead" : "retry"
            span?.fail(error)
            jobLogger.warning("job failed", metadata: ["attempt": "\(next.attempt)", "error": "\(error)"])
            try? await failOrRetry(entry.id, envelope: next, keys: keys, immediate: false)
        }
        span?.attributes["job.outcome"] = outcome
        let dimensions = [("kind", envelope.kind.rawValue), ("outcome", outcome)]
        Counter(label: "jobs_processed_total", dimensions: dimensions).increment()
        Metrics.Timer(label: "job_duration_seconds", dimensions: [("kind", envelope.kind.rawValue)])
            .recordNanoseconds(Int64((ContinuousClock.now - started).nanoseconds))
    }

    private func failOrRetry(_ entryID: String, envelope: JobEnvelope, keys: JobQueue.Keys, immediate: Bool)
        async throws
    {
        if envelope.attempt >= policy.maxAttempts {
            await deadLetter(entryID, envelope: envelope, reason: envelope.lastError ?? "failed", keys: keys)
        } else if immediate {
            try await settle(entryID, keys: keys, mode: "retry", envelope: try envelope.encoded())
        } else {
            let due = Date().addingTimeInterval(policy.backoff(afterAttempt: envelope.attempt).seconds)
            try await settle(
                entryID, keys: keys, mode: "delay", envelope: try envelope.encoded(),
                score: Int64(due.timeIntervalSince1970 * 1000))
        }
    }

    private func deadLetter(_ entryID: String, envelope: JobEnvelope, reason: String, keys: JobQueue.Keys) async {
        var dead = envelope
        dead.lastError = reason
        logger.error(
            "job dead-lettered",
            metadata: ["job_id": "\(envelope.id)", "kind": "\(envelope.kind.rawValue)", "reason": "\(reason)"])
        do {
            guard try await settle(entryID, keys: keys, mode: "dead", envelope: try dead.encoded()) else { return }
            await onDeadLetter?(dead, reason)
        } catch {
            logger.error("dead-lettering failed", metadata: ["job_id": "\(envelope.id)", "error": "\(error)"])
        }
    }

    @discardableResult
    private func settle(_ entryID: String, keys: JobQueue.Keys, mode: String, envelope: String, score: Int64 = 0)
        async throws -> Bool
    {
        let reply = try await redis.eval(
            JobScripts.settle, keys: [keys.stream, keys.delayed, keys.dead],
            arguments: [JobQueue.group, entryID, mode, envelope, String(score)])
        return reply.int == 1
    }

    /// Keeps a long job's entry fresh (XCLAIM resets its idle time) so no other worker reclaims it.
    private func withHeartbeat(
        _ entryID: String, keys: JobQueue.Keys, consumer: String, _ body: () async throws -> Void
    ) async throws {
        let interval = policy.reclaimIdle / 3
        let heartbeat = Task { [redis] in
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                _ = try? await redis.send("XCLAIM", keys.stream, JobQueue.group, consumer, "0", entryID, "JUSTID")
            }
        }
        defer { heartbeat.cancel() }
        try await body()
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var seconds: Double { Double(milliseconds) / 1000 }

}

extension JobWorker {
    /// Milliseconds from the time in a stream entry id (`<ms>-<seq>`, when Redis added it) to now. A retry is
    /// re-added, so it is measured from its own re-adding.
    static func millisecondsSince(entryID: String, now: Date = Date()) -> Int64? {
        guard let prefix = entryID.split(separator: "-").first, let added = Int64(prefix) else { return nil }
        return max(0, Int64(now.timeIntervalSince1970 * 1000) - added)
    }
}
