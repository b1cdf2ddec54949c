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

            let owner = try await UserRepository(client: db, logger: logger).findOrCreate(email: "tidy@example.jo").user
            for (age, status) in [("10 days", "rejected"), ("1 day", "rejected"), ("10 days", "ready")] {
                try await db.query(
                    PostgresQuery(
                        unsafeSQL: """
                            INSERT INTO files (user_id, kind, s3_key, bytes, status, created_at)
                            VALUES ('\(owner.id)', 'image', 'k-\(UUID())', 1, '\(status)', now() - interval '\(age)')
                            """), logger: logger)
            }
            try await harness.redis.send("ZADD", reservationsKey, "9999999999999", "stuck:1")
            // Outbox mail: a 10-day-old message and its notes go, yesterday's stays, other files are not touched.
            let outbox = URL(fileURLWithPath: NSTemporaryDirectory() + "outbox-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: outbox, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: outbox) }
            for (name, days) in [("old.eml", 10.0), ("old.json", 10), ("new.eml", 1), ("keep.txt", 10)] {
                let file = outbox.appendingPathComponent(name)
                try Data("x".utf8).write(to: file)
                try FileManager.default.setAttributes(
                    [.modificationDate: Date().addingTimeInterval(-days * 86_400)], ofItemAtPath: file.path)
            }
            let cleanup = CleanupJob(
                postgres: db, settlement: QuotaSettlement(redis: harness.redis, postgres: db, logger: logger),
                stuckAfter: .seconds(7200), outbox: outbox)
            let report = try await cleanup.run(now: Date(), logger: logger)
            #expect(report == .init(expiredLinks: 1, stuckJobs: 1, removedFiles: 1, removedMail: 2))
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: outbox.path).sorted() == ["keep.txt", "new.eml"])
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

struct AnalyticsRollupTests {
    @Test func dailyTotalsPerPlanAndModelAreRecomputedTheSameOnEachRun() async throws {
        try await WorkerHarness.run { harness, _ in
            let db = harness.postgres
            let logger = harness.logger
            let starter = UUID()
            let pro = UUID()
            for (id, plan) in [(starter, "starter"), (pro, "pro")] {
                try await db.query(
                    "INSERT INTO users (id, email) VALUES (\(id), \("\(plan)@example.jo"))", logger: logger)
                try await db.query(
                    """
                    INSERT INTO subscriptions (user_id, plan_id, status, current_period_start, renews_at, provider)
                    VALUES (\(id), \(plan), 'active', now() - interval '3 days', now() + interval '27 days', 'manual')
                    """, logger: logger)
            }
            try await db.query(
                """
                INSERT INTO usage_logs (user_id, kind, amount, model) VALUES
                  (\(starter), 'tokens', 100, 'gpt-4o-mini'), (\(starter), 'tokens', 50, 'gpt-4o-mini'),
                  (\(pro), 'tokens', 300, 'gpt-4o-mini'), (\(pro), 'images', 1, 'nano-banana'),
                  (\(pro), 'tokens', 999, 'claude')
                """, logger: logger)
            try await db.query(
                "UPDATE usage_logs SET created_at = now() - interval '10 days' WHERE model = 'claude'", logger: logger)
            let job = AnalyticsRollupJob(postgres: db)
            #expect(try await job.rollup(days: 2, now: Date(), logger: logger) == 3)
            #expect(try await job.rollup(days: 2, now: Date(), logger: logger) == 3)
            let rows = try await db.query(
                "SELECT plan_id, model, kind, users, requests, amount FROM analytics_daily ORDER BY plan_id, model",
                logger: logger)
            var found: [String] = []
            for try await (plan, model, kind, users, requests, amount) in rows.decode(
                (String, String, String, Int, Int, Int64).self)
            {
                found.append("\(plan) \(model) \(kind) \(users) \(requests) \(amount)")
            }
            #expect(
                found == [
                    "pro gpt-4o-mini tokens 1 1 300", "pro nano-banana images 1 1 1",
                    "starter gpt-4o-mini tokens 1 2 150",
                ])
        }
    }
}
