import Core
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Enqueues the periodic jobs. Every worker runs one, but a Redis lock per schedule and period
/// (SET NX with an expiry) lets exactly one of them enqueue each run.
struct Scheduler: Service {
    struct Schedule: Sendable {
        let kind: JobKind
        let every: Duration
    }

    let redis: RedisClient
    let queue: JobQueue
    let schedules: [Schedule]
    let tick: Duration
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await runDue(now: Date())
                try? await Task.sleep(for: tick)
            }
        }
    }

    /// Enqueues every schedule whose period has no run yet; returns the kinds this call enqueued.
    @discardableResult
    func runDue(now: Date) async -> [JobKind] {
        var enqueued: [JobKind] = []
        for schedule in schedules {
            let period = max(1, Int64(schedule.every.components.seconds))
            let slot = Int64(now.timeIntervalSince1970) / period
            let key = redis.key("scheduler:\(schedule.kind.rawValue):\(slot)")
            do {
                let won = try await redis.send("SET", key, "1", "NX", "EX", String(period * 2))
                guard won == .status("OK") else { continue }
                try await queue.enqueue(schedule.kind, payload: ["slot": slot], id: "\(schedule.kind.rawValue)-\(slot)")
                enqueued.append(schedule.kind)
            } catch {
                logger.warning(
                    "schedule not run", metadata: ["kind": "\(schedule.kind.rawValue)", "error": "\(error)"])
            }
        }
        return enqueued
    }
}

/// `job_queue_depth{queue, state}` for every queue (waiting, delayed for a retry, dead-lettered), read
/// from Redis every `every`; the collector turns the gauge into the CloudWatch queue panel.
struct QueueDepthGauge: Service {
    let queue: JobQueue
    let every: Duration
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await report()
                try? await Task.sleep(for: every)
            }
        }
    }

    func report() async {
        for name in JobQueueName.allCases {
            guard let stats = try? await queue.stats(name) else { continue }
            for (state, value) in [
                ("waiting", stats.length - stats.pending), ("delayed", stats.delayed), ("dead", stats.dead),
            ] {
                Gauge(label: "job_queue_depth", dimensions: [("queue", name.rawValue), ("state", state)])
                    .record(max(0, value))
            }
        }
    }
}
