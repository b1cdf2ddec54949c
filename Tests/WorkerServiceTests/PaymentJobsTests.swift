import Core
import CoreTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import WorkerService

struct PaymentJobsTests {
    static func count(_ db: PostgresClient, _ sql: String, logger: Logger) async throws -> Int {
        let rows = try await db.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        for try await n in rows.decode(Int.self) { return n }
        return 0
    }

    /// A stored approved notification handed to the running worker twice (at-least-once delivery): one
    /// subscription, one invoice, and the trial it replaced ended.
    @Test func theWorkerAppliesAPaymentEventExactlyOnce() async throws {
        try await WorkerHarness.run { harness, app in
            let db = harness.postgres
            let logger = harness.logger
            let user = UUID()
            try await db.query(
                "INSERT INTO users (id, email) VALUES (\(user), 'worker-pay@example.jo')", logger: logger)
            let usage = UsageRepository(client: db, logger: logger)
            try await usage.startTrial(userID: user, planID: "creator", days: 3)
            let payments = PaymentRepository(client: db, logger: logger)
            let payment = try await payments.createPending(
                userID: user, planID: "creator", addonID: nil, amountFils: 7000, provider: .hyperpay)
            try await payments.attachCheckout(id: payment.id, session: CheckoutSession(externalID: "CHK.test"))
            let notification = PaymentNotification(
                provider: .hyperpay, kind: .payment, merchantReference: payment.id.uuidString.lowercased(),
                externalID: "CHK.test", transactionID: "8ac7test", amount: "7.00", currency: "JOD",
                resultCode: "000.100.110", resultDescription: "ok", outcome: .succeeded)
            let event = try await payments.storeEvent(
                provider: .hyperpay, dedupeKey: "k1", headers: [:], rawBody: Data("x".utf8),
                notification: notification, reason: nil)
            #expect(event.status == "received")

            try await app.test(.router) { _ in
                let queue = JobQueue(redis: harness.redis)
                for _ in 0..<2 {
                    try await queue.enqueue(
                        .paymentsWebhooks, payload: JobPayloads.PaymentEvent(eventID: event.id),
                        id: event.id.uuidString.lowercased())
                }
                let paid = try await eventually(timeout: .seconds(20)) {
                    try await payments.find(id: payment.id)?.status == .paid
                }
                #expect(paid)
                let drained = try await eventually(timeout: .seconds(20)) {
                    let stats = try await queue.stats(.payments)
                    return stats.length == 0 && stats.pending == 0
                }
                #expect(drained)
            }
            #expect(try await Self.count(db, "SELECT count(*)::int FROM invoices", logger: logger) == 1)
            #expect(
                try await Self.count(
                    db, "SELECT count(*)::int FROM subscriptions WHERE status = 'active' AND plan_id = 'creator'",
                    logger: logger) == 1)
            #expect(
                try await Self.count(
                    db, "SELECT count(*)::int FROM subscriptions WHERE status = 'expired'", logger: logger) == 1)
            #expect(try await usage.summary(userID: user).subscriptionStatus == "active")
        }
    }

    @Test func theRenewalSweepMovesEndedPeriodsOnOnce() async throws {
        try await WorkerHarness.run { harness, _ in
            let db = harness.postgres
            let logger = harness.logger
            var users: [UUID] = []
            for index in 0..<4 {
                let id = UUID()
                users.append(id)
                try await db.query(
                    "INSERT INTO users (id, email) VALUES (\(id), \("renew\(index)@example.jo"))", logger: logger)
            }
            let ago = Date().addingTimeInterval(-40 * 86_400)
            let ended = Date().addingTimeInterval(-3600)
            let longAgo = Date().addingTimeInterval(-10 * 86_400)
            // active and ended; active, ended and canceled; trial ended; past due beyond the grace period.
            let rows: [(UUID, String, Date, Bool)] = [
                (users[0], "active", ended, false), (users[1], "active", ended, true),
                (users[2], "trialing", ended, false), (users[3], "past_due", longAgo, false),
            ]
            for (user, status, renews, cancel) in rows {
                try await db.query(
                    """
                    INSERT INTO subscriptions
                        (user_id, plan_id, status, current_period_start, renews_at, cancel_at_period_end, provider)
                    VALUES (\(user), 'pro', \(status), \(ago), \(renews), \(cancel), 'hyperpay')
                    """, logger: logger)
            }
            let subscriptions = SubscriptionRepository(client: db, logger: logger)
            let sweep = try await subscriptions.sweepRenewals()
            #expect(sweep == .init(canceled: 1, pastDue: 1, expired: 2))
            #expect(try await subscriptions.sweepRenewals() == .init())
            #expect(try await subscriptions.latest(userID: users[0])?.status == "past_due")
            #expect(try await subscriptions.latest(userID: users[1])?.status == "canceled")
            #expect(try await subscriptions.latest(userID: users[2])?.status == "expired")
            #expect(try await subscriptions.latest(userID: users[3])?.status == "expired")
        }
    }
}
