import Core
import Foundation
import Logging

/// `subscription_renewals` (daily, from the scheduler): periods that ended move on (active → past due, or
/// canceled when the user asked to stop; trials and long-unpaid ones expire), and payment notifications whose
/// job was lost are queued again.
struct SubscriptionRenewalsJob: JobHandler {
    let kind = JobKind.subscriptionRenewals
    let subscriptions: SubscriptionRepository
    let payments: PaymentRepository
    let queue: JobQueue
    let grace: TimeInterval

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let sweep = try await subscriptions.sweepRenewals(now: Date(), grace: grace)
        var requeued = 0
        for id in try await payments.unprocessedEvents(olderThan: 300) {
            try await queue.enqueue(
                .paymentsWebhooks, payload: JobPayloads.PaymentEvent(eventID: id), id: id.uuidString.lowercased())
            requeued += 1
        }
        logger.info(
            "renewals swept",
            metadata: [
                "canceled": "\(sweep.canceled)", "past_due": "\(sweep.pastDue)", "expired": "\(sweep.expired)",
                "requeued_events": "\(requeued)",
            ])
    }
}
