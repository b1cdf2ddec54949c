import Core
import CoreTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import WorkerService

struct CleanupTests {
    @Test func stuckJobsFailWithTheirReservationReleasedAndOldLinksGo() async throws {
        // The application is not started: its own scheduler would run the cleanup first.
        try await WorkerHarness.run { harness, _ in
            let logger = harness.logger
            let db = harness.postgres
            let reservationsKey = harness.redis.key("usage:c:res:video")
            let payload =
                #"{"reservation":{"kind":"video","amount":1,"member":"stuck:1","counter_key":"x","reservations_key":"\#(reservationsKey)"}}"#
            let stuck = try await harness.jobs.create(kind: .videoGenerate, userID: nil, payloadJSON: payload)
            let fresh = try await harness.jobs.create(kind: .videoGenerate, userID: nil, payloadJSON: "{}")
            _ = try await harness.jobs.markRunning(id: stuck.id)
            _ = try await harness.jobs.markRunning(id: fresh.id)
            try await db.query(
                "UPDATE jobs SET updated_at = now() - interval '3 hours' WHERE id = \(stuck.id)", logger: logger)
            try await db.query(
                """
                INSERT INTO magic_links (email, token_hash, code_hash, created_at, expires_at)
                VALUES ('old@example.jo', decode(repeat('ab', 32), 'hex'), decode(repeat('cd', 32), 'hex'),
                        now() - interval '3 days', now() - interval '2 days')
                """, logger: logger)

            try await harness.redis.send("ZADD", reservationsKey, "9999999999999", "stuck:1")
            let cleanup = CleanupJob(
                postgres: db, settlement: QuotaSettlement(redis: harness.redis, postgres: db, logger: logger),
                stuckAfter: .seconds(7200))
            let report = try await cleanup.run(now: Date(), logger: logger)
            #expect(report == .init(expiredLinks: 1, stuckJobs: 1))
            #expect(try await harness.redis.send("ZCARD", reservationsKey).int == 0)
            await harness.redis.shutdown()
            #expect(try await harness.jobs.find(id: stuck.id)?.status == .failed)
            #expect(try await harness.jobs.find(id: fresh.id)?.status == .running)
        }
    }

    @Test func onlyOneWorkerEnqueuesEachScheduledRun() async throws {
        try await WorkerHarness.run { harness, app in
            try await app.test(.router) { _ in
                let schedule = [Scheduler.Schedule(kind: .cleanup, every: .seconds(3600))]
                let first = Scheduler(
                    redis: harness.redis, queue: JobQueue(redis: harness.redis), schedules: schedule, tick: .seconds(1),
                    logger: harness.logger)
                let second = Scheduler(
                    redis: harness.redis, queue: JobQueue(redis: harness.redis), schedules: schedule, tick: .seconds(1),
                    logger: harness.logger)
                let now = Date()
                async let a = first.runDue(now: now)
                async let b = second.runDue(now: now)
                let runs = await a + b
                #expect(runs == [.cleanup])
                #expect(await first.runDue(now: now.addingTimeInterval(3600)) == [.cleanup])
            }
        }
    }
}
