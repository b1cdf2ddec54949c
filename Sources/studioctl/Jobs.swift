import ArgumentParser
import Core
import Foundation

extension JobKind: ExpressibleByArgument {}
extension JobRecord.Status: ExpressibleByArgument {}

extension Ops {
    /// A job by id, with the repository to change it.
    func job(_ reference: String) async throws -> (JobRepository, JobRecord) {
        let jobs = JobRepository(client: postgres, logger: logger)
        guard let id = UUID(uuidString: reference), let job = try await jobs.find(id: id) else {
            throw OpsError("no job \(reference)")
        }
        return (jobs, job)
    }
}

struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, retry and cancel jobs.", subcommands: [List.self, Retry.self, Cancel.self])

    struct Row: Codable {
        let id: String
        let kind: String
        let status: String
        let attempts: Int
        let userID: String?
        let error: String?
        let createdAt: Date

        init(_ job: JobRecord) {
            id = job.id.lower
            kind = job.kind.rawValue
            status = job.status.rawValue
            attempts = job.attempts
            userID = job.userID?.lower
            error = job.error
            createdAt = job.createdAt
        }

        enum CodingKeys: String, CodingKey {
            case id, kind, status, attempts, error
            case userID = "user_id"
            case createdAt = "created_at"
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest jobs, by status and kind.")
        @Option(help: "queued, running, done, failed or canceled.") var status: JobRecord.Status?
        @Option(help: "A job kind, e.g. video_generate or doc_convert.") var kind: JobKind?
        @Option(help: "At most this many.") var limit = 50
        @OptionGroup var format: JSONFlag

        func run() async throws {
            try await Ops.run { ops in
                let jobs = try await JobRepository(client: ops.postgres, logger: ops.logger)
                    .list(status: status, kind: kind, limit: max(1, min(limit, 1000))).map(Row.init)
                if format.json { return try ops.output.json(jobs) }
                ops.output.table(
                    ["id", "kind", "status", "tries", "user", "created", "error"],
                    jobs.map {
                        [
                            $0.id, $0.kind, $0.status, String($0.attempts), $0.userID ?? "-", $0.createdAt.iso,
                            $0.error ?? "",
                        ]
                    })
            }
        }
    }

    /// Kinds whose jobs hold a quota reservation: a retry would need a new one, so the user starts again.
    static let metered: Swift.Set<JobKind> = [.videoGenerate, .videoFinalize, .videoDemo]

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a failed or canceled job again (not metered video jobs: the user starts a new one).")
        @Argument(help: "The job's id.") var id: String
        @OptionGroup var why: Reason

        func run() async throws {
            try await Ops.run { ops in
                let (jobs, job) = try await ops.job(id)
                let uuid = job.id
                guard !Jobs.metered.contains(job.kind) else {
                    throw OpsError(
                        "\(job.kind.rawValue) jobs hold a video reservation that was released when they ended; "
                            + "the user starts a new video (nothing was charged)")
                }
                guard try await jobs.requeue(id: uuid) else {
                    throw OpsError("job \(id) is \(job.status.rawValue); only failed or canceled jobs are retried")
                }
                let envelope = JobEnvelope(
                    id: uuid.lower, kind: job.kind, payload: job.payloadJSON, traceparent: nil)
                try await JobQueue(redis: ops.redis).enqueue(envelope)
                try await ops.audit(
                    "jobs.retry", target: "job:\(uuid.lower)", reason: why.reason,
                    details: ["kind": job.kind.rawValue, "was": job.status.rawValue])
                ops.output.line("job \(uuid.lower) (\(job.kind.rawValue)) queued again")
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a queued or running job and release the quota it reserved.")
        @Argument(help: "The job's id.") var id: String
        @OptionGroup var why: Reason

        func run() async throws {
            try await Ops.run { ops in
                let (jobs, job) = try await ops.job(id)
                let uuid = job.id
                guard try await jobs.markCanceled(id: uuid, reason: "canceled by support: \(why.reason)") else {
                    throw OpsError("job \(id) is already \(job.status.rawValue)")
                }
                var released = "nothing reserved"
                if Jobs.metered.contains(job.kind),
                    let payload = try? JSONDecoder.studio.decode(
                        JobPayloads.VideoGenerate.self, from: Data(job.payloadJSON.utf8))
                {
                    await QuotaSettlement(redis: ops.redis, postgres: ops.postgres, logger: ops.logger)
                        .release(payload.reservation)
                    released = "released \(payload.reservation.amount) \(payload.reservation.kind)"
                }
                try await ops.audit(
                    "jobs.cancel", target: "job:\(uuid.lower)", reason: why.reason,
                    details: ["kind": job.kind.rawValue, "was": job.status.rawValue, "quota": released])
                ops.output.line("job \(uuid.lower) canceled; \(released)")
            }
        }
    }
}

struct Queue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The job queues: depth and dead letters.", subcommands: [Stats.self, RequeueDead.self])

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Depth, pending, delayed and dead letters per queue.")
        @OptionGroup var format: JSONFlag

        func run() async throws {
            try await Ops.run { ops in
                let queue = JobQueue(redis: ops.redis)
                var stats: [JobQueue.Stats] = []
                for name in JobQueueName.allCases { stats.append(try await queue.stats(name)) }
                if format.json { return try ops.output.json(stats) }
                ops.output.table(
                    ["queue", "length", "pending", "delayed", "dead"],
                    stats.map {
                        [$0.queue, String($0.length), String($0.pending), String($0.delayed), String($0.dead)]
                    })
            }
        }
    }

    struct RequeueDead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "requeue-dead", abstract: "Put the dead letters of one kind back on their queue.")
        @Option(help: "The job kind, e.g. doc_convert.") var kind: JobKind
        @OptionGroup var why: Reason

        func run() async throws {
            try await Ops.run { ops in
                let moved = try await JobQueue(redis: ops.redis).requeueDead(kind)
                let jobs = JobRepository(client: ops.postgres, logger: ops.logger)
                for envelope in moved {
                    if let id = UUID(uuidString: envelope.id) { _ = try await jobs.requeue(id: id) }
                }
                try await ops.audit(
                    "queue.requeue-dead", target: "queue:\(kind.queue.rawValue)", reason: why.reason,
                    details: ["kind": kind.rawValue, "moved": String(moved.count)])
                ops.output.line("\(moved.count) dead \(kind.rawValue) job(s) queued again")
            }
        }
    }
}
