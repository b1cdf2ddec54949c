import Core
import Foundation
import Logging

/// `payments_webhooks`: applies one stored provider notification. The ledger locks the event and the payment,
/// so a redelivered job finds the event processed and does nothing.
struct PaymentsWebhooksJob: JobHandler {
    let kind = JobKind.paymentsWebhooks
    let payments: PaymentRepository

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let payload = try job.decodePayload(JobPayloads.PaymentEvent.self)
        let result = try await payments.apply(eventID: payload.eventID)
        logger.info("payment event processed", metadata: ["event_id": "\(payload.eventID)", "result": "\(result)"])
    }
}
