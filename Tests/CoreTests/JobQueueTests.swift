import Core
import CoreTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// A handler whose behaviour per call is chosen by the test, and which records what it saw.
final class ScriptedHandler: JobHandler {
    let kind: JobKind
    private let behaviour: @Sendable (Int) async throws -> Void
    private let seen = Mutex<[(attempt: Int, payload: String, traceID: String?)]>([])

    init(kind: JobKind = .noop, behaviour: @escaping @Sendable (Int) async throws -> Void = { _ in }) {
        self.kind = kind
        self.behaviour = behaviour
    }

    var calls: [(attempt: Int, payload: String, traceID: String?)] { seen.withLock { $0 } }

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let index = seen.withLock { calls in
            calls.append((job.attempt, job.payload, TraceContext.current?.traceID))
            return calls.count
        }
        try await behaviour(index)
    }
}

struct Failure: Error {}

struct JobQueueTests {
    static let fast = JobWorkerPolicy(
        maxAttempts: 3, backoffBase: .milliseconds(30), backoffMax: .milliseconds(100), reclaimIdle: .milliseconds(400),
        blockTime: .milliseconds(100))

    /// Runs a worker for `handler` while `body` runs, then stops it and waits for it to finish.
    func withWorker(
        _ redis: RedisClient, _ handler: ScriptedHandler, policy: JobWorkerPolicy = fast,
        onDeadLetter: JobWorker.DeadLetterHook? = nil, _ body: () async throws -> Void
    ) async throws {
        let worker = JobWorker(
            redis: redis, handlers: [handler], concurrency: [handler.kind.queue: 1], policy: policy,
            consumerName: "test-worker", onDeadLetter: onDeadLetter, logger: Logger(label: "test"))
        let running = Task { try await worker.run() }
        try await body()
        worker.stop()
        try await running.value
    }

    @Test func enqueuedJobRunsOnceAndLeavesNothingPending() async throws {
        try await TestRedis.withClient { redis async throws in
            let handler = ScriptedHandler()
            let queue = JobQueue(redis: redis)
            try await withWorker(redis, handler) {
                try await queue.enqueue(.noop, payload: ["note": "مرحبا"])
                #expect(await eventually { handler.calls.count == 1 })
            }
            #expect(handler.calls.first?.payload.contains("مرحبا") == true)
            #expect(
                try await queue.stats(.default)
                    == JobQueue.Stats(queue: "default", length: 0, pending: 0, delayed: 0, dead: 0))
        }
    }

    @Test func failedJobIsRetriedWithBackoffUntilItSucceeds() async throws {
        try await TestRedis.withClient { redis async throws in
            let handler = ScriptedHandler { call in if call < 3 { throw Failure() } }
            try await withWorker(redis, handler) {
                try await JobQueue(redis: redis).enqueue(.noop, payload: ["n": 1])
                #expect(await eventually { handler.calls.count == 3 })
            }
            #expect(handler.calls.map(\.attempt) == [0, 1, 2])
            #expect(try await JobQueue(redis: redis).stats(.default).dead == 0)
        }
    }

    @Test func poisonJobEndsInTheDeadLettersAfterMaxAttempts() async throws {
        try await TestRedis.withClient { redis async throws in
            let handler = ScriptedHandler { _ in throw Failure() }
            let hooked = Mutex<[String]>([])
            let queue = JobQueue(redis: redis)
            try await withWorker(
                redis, handler, onDeadLetter: { envelope, _ in hooked.withLock { $0.append(envelope.id) } }
            ) {
                try await queue.enqueue(.noop, payload: ["poison": true], id: "job-poison")
                #expect(try await eventually { try await queue.stats(.default).dead == 1 })
            }
            #expect(handler.calls.count == 3)
            let dead = try #require(try await queue.deadLetters(.default).first)
            #expect(dead.id == "job-poison" && dead.attempt == 3)
            #expect(dead.lastError?.contains("Failure") == true)
            #expect(hooked.withLock { $0 } == ["job-poison"])
            #expect(try await queue.stats(.default).pending == 0)
        }
    }

    @Test func permanentFailureIsNotRetried() async throws {
        try await TestRedis.withClient { redis async throws in
            let handler = ScriptedHandler { _ in throw JobFailure.permanent("the file is gone") }
            let queue = JobQueue(redis: redis)
            try await withWorker(redis, handler) {
                try await queue.enqueue(.noop, payload: ["x": 1])
                #expect(try await eventually { try await queue.stats(.default).dead == 1 })
            }
            #expect(handler.calls.count == 1)
            #expect(try await queue.deadLetters(.default).first?.lastError == "the file is gone")
        }
    }

    @Test func entryOfADeadWorkerIsReclaimedAndCompleted() async throws {
        try await TestRedis.withClient { redis async throws in
            let queue = JobQueue(redis: redis)
            try await queue.enqueue(.noop, payload: ["reclaim": true], id: "job-orphan")
            let stream = redis.key("queue:default")
            try await redis.send("XGROUP", "CREATE", stream, JobQueue.group, "0", "MKSTREAM")
            // A worker that read the entry and died before acknowledging it.
            let read = try await redis.send(
                "XREADGROUP", "GROUP", JobQueue.group, "ghost", "COUNT", "1", "STREAMS", stream, ">")
            #expect(read.array?.isEmpty == false)
            #expect(try await queue.stats(.default).pending == 1)

            let handler = ScriptedHandler()
            try await withWorker(redis, handler) { () async throws in
                #expect(await eventually { handler.calls.count == 1 })
                #expect(try await eventually { try await queue.stats(.default).pending == 0 })
            }
            #expect(handler.calls.map(\.attempt) == [1])
            #expect(
                try await queue.stats(.default)
                    == JobQueue.Stats(queue: "default", length: 0, pending: 0, delayed: 0, dead: 0))
        }
    }

    @Test func theTraceTravelsWithTheJob() async throws {
        try await TestRedis.withClient { redis async throws in
            let handler = ScriptedHandler()
            let trace = TraceContext.newRoot()
            try await withWorker(redis, handler) {
                try await TraceContext.$current.withValue(trace) {
                    try await JobQueue(redis: redis).enqueue(.noop, payload: ["t": 1])
                }
                #expect(await eventually { handler.calls.count == 1 })
            }
            #expect(handler.calls.first?.traceID == trace.traceID)
        }
    }

    @Test func stoppingLetsTheRunningJobFinish() async throws {
        try await TestRedis.withClient { redis async throws in
            let handler = ScriptedHandler { _ in try await Task.sleep(for: .milliseconds(400)) }
            let queue = JobQueue(redis: redis)
            try await withWorker(redis, handler) {
                try await queue.enqueue(.noop, payload: ["slow": true])
                #expect(await eventually { handler.calls.count == 1 })
            }
            #expect(
                try await queue.stats(.default)
                    == JobQueue.Stats(queue: "default", length: 0, pending: 0, delayed: 0, dead: 0))
        }
    }

    @Test func backoffGrowsAndIsCapped() {
        let policy = JobWorkerPolicy(backoffBase: .seconds(2), backoffMax: .seconds(60))
        #expect(policy.backoff(afterAttempt: 1) >= .seconds(2) && policy.backoff(afterAttempt: 1) <= .seconds(2.4))
        #expect(policy.backoff(afterAttempt: 3) >= .seconds(8))
        #expect(policy.backoff(afterAttempt: 30) <= .seconds(72))
    }
}
