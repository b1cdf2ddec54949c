import Core
import CoreTestSupport
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import BackendService

/// Webhooks the fake OPPWA sent.
final class Deliveries: Sendable {
    private let items = Mutex<[FakeOPPWA.Delivery]>([])
    func append(_ delivery: FakeOPPWA.Delivery) { items.withLock { $0.append(delivery) } }
    var last: FakeOPPWA.Delivery? { items.withLock { $0.last } }
}

/// HyperPay end to end against the fake OPPWA server in HyperPay's wire format: checkout, approve or decline,
/// the encrypted webhook, the stored event applied by the ledger (as the worker does), and what the Account
/// page then reads.
struct PaymentTests {
    static let keyHex = String(repeating: "5a", count: 32)
    static let token = "oppwa-test-access-token"
    static let entity = "8a8294174b7ecb28014b9699220015ca"

    /// A live fake OPPWA whose webhooks are captured, and a backend configured against it.
    struct Rig: Sendable {
        let fake: FakeOPPWA
        let deliveries: Deliveries
        let harness: BackendHarness
        let client: any TestClientProtocol
        let payments: PaymentRepository

        /// Approves (or declines) the checkout the way a shopper would, and returns the webhook it sent.
        func decide(_ checkoutID: String, approve: Bool) async throws -> FakeOPPWA.Delivery {
            #expect(await fake.decide(checkoutID: checkoutID, approve: approve))
            return try #require(deliveries.last)
        }

        /// Posts a webhook exactly as received from the provider.
        func post(_ delivery: FakeOPPWA.Delivery) async throws {
            try await client.execute(
                uri: "/v1/payments/webhook/hyperpay", method: .post, headers: delivery.headers,
                body: ByteBuffer(string: delivery.body)
            ) { response in #expect(response.status == .ok) }
        }

        /// Applies every stored, unprocessed event (what the worker's `payments_webhooks` job does).
        @discardableResult
        func applyPending() async throws -> [PaymentApplyResult] {
            var results: [PaymentApplyResult] = []
            for id in try await payments.unprocessedEvents(olderThan: -60) {
                results.append(try await payments.apply(eventID: id))
            }
            return results
        }

        func startCheckout(_ session: Session, _ body: [String: Any]) async throws -> (UUID, String) {
            let paymentID = try await client.execute(
                uri: "/v1/payments/session", method: .post, headers: session.mutatingHeaders,
                body: BackendServiceTests.body(body)
            ) { response -> UUID in
                #expect(response.status == .created)
                let object = json(response)
                #expect(
                    (object["redirectUrl"] as? String)?.hasPrefix("http://studio.test/app/checkout/?payment=") == true)
                return try #require((object["payment_id"] as? String).flatMap(UUID.init(uuidString:)))
            }
            let checkoutID = try await client.execute(
                uri: "/v1/payments/\(paymentID.uuidString.lowercased())", method: .get, headers: session.headers
            ) { response -> String in
                #expect(response.status == .ok)
                let checkout = try #require(json(response)["checkout"] as? [String: Any])
                #expect((checkout["script_url"] as? String)?.contains("/v1/paymentWidgets.js?checkoutId=") == true)
                #expect((checkout["integrity"] as? String) == FakeOPPWA.widgetIntegrity)
                return try #require(checkout["checkout_id"] as? String)
            }
            return (paymentID, checkoutID)
        }
    }

    static func run(
        declineStatus: HTTPResponse.Status = .ok, logs: LogCapture? = nil,
        _ body: @escaping @Sendable (Rig, Session) async throws -> Void
    ) async throws {
        let deliveries = Deliveries()
        let fake = FakeOPPWA(
            accessToken: token, entityID: entity,
            webhookKey: SymmetricKey(data: Data(hexString: keyHex)!), declineStatus: declineStatus,
            deliver: { delivery in deliveries.append(delivery) })
        let router = Router()
        fake.register(on: router.group())
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { live in
            let extra = [
                "HYPERPAY_API_KEY": token, "HYPERPAY_ENTITY_ID": entity, "HYPERPAY_WEBHOOK_KEY": keyHex,
                "HYPERPAY_BASE_URL": "http://127.0.0.1:\(live.port!)", "CV_PDF_WAIT_SECONDS": "0",
                "STORAGE_DIR": NSTemporaryDirectory() + "payments-\(UUID().uuidString)",
            ]
            try await BackendHarness.run(extra: extra, logs: logs) { harness, client in
                let rig = Rig(
                    fake: fake, deliveries: deliveries, harness: harness, client: client,
                    payments: PaymentRepository(client: harness.postgres, logger: Logger(label: "ledger")))
                let session = try await harness.signIn(
                    "payer-\(UUID().uuidString.prefix(6))@example.jo", client: client)
                try await body(rig, session)
            }
        }
    }

    @Test func approvedCheckoutActivatesThePlanOnceAndIssuesAnInvoice() async throws {
        try await Self.run { rig, session in
            let (paymentID, checkoutID) = try await rig.startCheckout(session, ["plan_id": "pro"])
            let checkout = try #require(rig.fake.checkout(checkoutID))
            #expect(checkout.amount == "5.00")
            #expect(checkout.currency == "JOD")
            #expect(checkout.merchantTransactionID == paymentID.uuidString.lowercased())

            let delivery = try await rig.decide(checkoutID, approve: true)
            try await rig.post(delivery)
            // The event is queued for the worker before the webhook answers.
            let queued = try await JobQueue(
                redis: RedisClient(settings: rig.harness.settings.redis, logger: Logger(label: "t"))
            ).stats(.payments)
            #expect(queued.length >= 1)
            #expect(try await rig.applyPending() == [.activated(paymentID: paymentID)])

            // A provider retry of the same delivery is stored once; a re-encrypted duplicate applies nothing.
            try await rig.post(delivery)
            try await rig.post(try rig.fake.webhook(for: try #require(rig.fake.checkout(checkoutID))))
            #expect(try await rig.applyPending() == [.ignored(reason: "already_paid")])

            try await rig.client.execute(
                uri: "/v1/payments/\(paymentID.uuidString.lowercased())", method: .get, headers: session.headers
            ) { response in
                let object = json(response)
                #expect(object["status"] as? String == "paid")
                #expect(object["checkout"] == nil)
                #expect(object["amount_jod"] as? String == "5.000")
            }
            try await rig.client.execute(uri: "/v1/subscription", method: .get, headers: session.headers) { response in
                let subscription = try #require(json(response)["subscription"] as? [String: Any])
                #expect(subscription["plan_id"] as? String == "pro")
                #expect(subscription["status"] as? String == "active")
                #expect(subscription["cancel_at_period_end"] as? Bool == false)
                let formatter = ISO8601DateFormatter()
                let start = try #require((subscription["current_period_start"] as? String).flatMap(formatter.date))
                let renews = try #require((subscription["renews_at"] as? String).flatMap(formatter.date))
                let days = renews.timeIntervalSince(start) / 86_400
                #expect(days >= 28 && days <= 31)
            }
            try await rig.client.execute(uri: "/v1/usage/me", method: .get, headers: session.headers) { response in
                let object = json(response)
                #expect((object["tokens"] as? [String: Any])?["limit"] as? Int == 400_000)
                #expect((object["images"] as? [String: Any])?["limit"] as? Int == 30)
            }
            let invoiceID = try await rig.client.execute(
                uri: "/v1/invoices", method: .get, headers: session.headers
            ) { response -> String in
                let invoices = try #require(json(response)["invoices"] as? [[String: Any]])
                #expect(invoices.count == 1)
                let invoice = try #require(invoices.first)
                #expect(invoice["amount_jod"] as? String == "5.000")
                #expect((invoice["number"] as? String)?.hasPrefix("AIS-") == true)
                #expect((invoice["description_ar"] as? String)?.contains("المحترف") == true)
                #expect(invoice["provider_ref"] as? String == rig.fake.checkout(checkoutID)?.paymentID)
                return try #require(invoice["id"] as? String)
            }
            try await rig.client.execute(
                uri: "/v1/invoices/\(invoiceID)?format=html", method: .get, headers: session.headers
            ) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                let html = String(buffer: response.body)
                #expect(html.contains("dir=\"rtl\""))
                #expect(html.contains("5.000 JOD"))
                #expect(html.contains("فاتورة"))
            }

            // Another user reads neither the payment nor the invoice.
            let stranger = try await rig.harness.signIn("stranger@example.jo", client: rig.client)
            for uri in ["/v1/payments/\(paymentID.uuidString.lowercased())", "/v1/invoices/\(invoiceID)"] {
                try await rig.client.execute(uri: uri, method: .get, headers: stranger.headers) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }

    @Test func declinedCheckoutActivatesNothing() async throws {
        try await Self.run { rig, session in
            let (paymentID, checkoutID) = try await rig.startCheckout(session, ["plan_id": "starter"])
            try await rig.post(try await rig.decide(checkoutID, approve: false))
            #expect(try await rig.applyPending() == [.declined(paymentID: paymentID)])
            try await rig.client.execute(
                uri: "/v1/payments/\(paymentID.uuidString.lowercased())", method: .get, headers: session.headers
            ) { response in
                #expect(json(response)["status"] as? String == "failed")
                #expect((json(response)["failure_reason"] as? String)?.hasPrefix("800.100.151") == true)
            }
            try await rig.client.execute(uri: "/v1/subscription", method: .get, headers: session.headers) { response in
                #expect(json(response)["subscription"] == nil || json(response)["subscription"] is NSNull)
            }
            try await rig.client.execute(uri: "/v1/invoices", method: .get, headers: session.headers) { response in
                #expect((json(response)["invoices"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test func forgedOrBrokenNotificationsAreAnsweredButApplyNothing() async throws {
        let logs = LogCapture()
        try await Self.run(logs: logs) { rig, session in
            let (paymentID, checkoutID) = try await rig.startCheckout(session, ["plan_id": "creator"])
            let genuine = try await rig.decide(checkoutID, approve: true)
            var flipped = Array(genuine.tag)
            flipped[0] = flipped[0] == "0" ? "1" : "0"
            let otherKey = try HyperPayProvider.encrypt(
                Data(#"{"type":"PAYMENT","payload":{}}"#.utf8), key: SymmetricKey(size: .bits256))
            let forgeries = [
                FakeOPPWA.Delivery(body: genuine.body, iv: genuine.iv, tag: String(flipped)),
                FakeOPPWA.Delivery(body: otherKey.body, iv: otherKey.iv, tag: otherKey.tag),
                FakeOPPWA.Delivery(body: "this is not hex", iv: genuine.iv, tag: genuine.tag),
            ]
            for forgery in forgeries { try await rig.post(forgery) }
            #expect(try await rig.applyPending().isEmpty)
            let rows = try await rig.harness.postgres.query(
                "SELECT status, reason FROM payment_events ORDER BY received_at", logger: Logger(label: "t"))
            var reasons: [String] = []
            for try await (status, reason) in rows.decode((String, String?).self) {
                #expect(status == "rejected")
                reasons.append(reason ?? "")
            }
            #expect(reasons.sorted() == ["authentication_failed", "authentication_failed", "body_not_hex"])
            let errors = logs.objects.filter {
                $0["level"] as? String == "error" && ($0["msg"] as? String ?? "").contains("failed verification")
            }
            #expect(errors.count == 3)
            #expect(!logs.all.contains { $0.contains(Self.keyHex) || $0.contains(Self.token) })
            try await rig.client.execute(
                uri: "/v1/payments/\(paymentID.uuidString.lowercased())", method: .get, headers: session.headers
            ) { response in #expect(json(response)["status"] as? String == "pending") }
        }
    }

    @Test func aNotificationForAnotherAmountActivatesNothing() async throws {
        try await Self.run { rig, session in
            let (paymentID, checkoutID) = try await rig.startCheckout(session, ["plan_id": "creator"])
            _ = try await rig.decide(checkoutID, approve: true)
            var decided = try #require(rig.fake.checkout(checkoutID))
            decided = FakeOPPWA.Checkout(
                id: decided.id, entityID: decided.entityID, amount: "1.00", currency: "JOD",
                merchantTransactionID: decided.merchantTransactionID, paymentID: decided.paymentID,
                resultCode: decided.resultCode, resultDescription: decided.resultDescription)
            try await rig.post(try rig.fake.webhook(for: decided))
            let results = try await rig.applyPending()
            #expect(results.count == 1)
            guard case .rejected(let reason) = results.first else {
                Issue.record("expected a rejection, got \(results)")
                return
            }
            #expect(reason.hasPrefix("amount_mismatch"))
            try await rig.client.execute(uri: "/v1/subscription", method: .get, headers: session.headers) { response in
                #expect(json(response)["subscription"] == nil || json(response)["subscription"] is NSNull)
            }
            try await rig.client.execute(
                uri: "/v1/payments/\(paymentID.uuidString.lowercased())", method: .get, headers: session.headers
            ) { response in #expect(json(response)["status"] as? String == "pending") }
        }
    }

    @Test func addOnRaisesExactlyOneKindForThisPeriod() async throws {
        try await Self.run { rig, session in
            let (_, planCheckout) = try await rig.startCheckout(session, ["plan_id": "starter"])
            try await rig.post(try await rig.decide(planCheckout, approve: true))
            try await rig.applyPending()
            let (addonID, addonCheckout) = try await rig.startCheckout(session, ["addon": "images_10"])
            #expect(rig.fake.checkout(addonCheckout)?.amount == "1.00")
            try await rig.post(try await rig.decide(addonCheckout, approve: true))
            #expect(try await rig.applyPending() == [.activated(paymentID: addonID)])
            try await rig.client.execute(uri: "/v1/usage/me", method: .get, headers: session.headers) { response in
                let object = json(response)
                #expect((object["images"] as? [String: Any])?["limit"] as? Int == 20)
                #expect((object["tokens"] as? [String: Any])?["limit"] as? Int == 150_000)
                #expect((object["videos"] as? [String: Any])?["limit"] as? Int == 2)
            }
            try await rig.client.execute(uri: "/v1/subscription", method: .get, headers: session.headers) { response in
                #expect((json(response)["subscription"] as? [String: Any])?["plan_id"] as? String == "starter")
            }
            try await rig.client.execute(uri: "/v1/invoices", method: .get, headers: session.headers) { response in
                #expect((json(response)["invoices"] as? [Any])?.count == 2)
            }
        }
    }

    @Test func cancelStopsRenewalAndRenewResumesIt() async throws {
        try await Self.run { rig, session in
            try await rig.client.execute(
                uri: "/v1/subscription/cancel", method: .post, headers: session.mutatingHeaders
            ) { response in #expect(errorCode(response) == "no_active_subscription") }
            try await rig.client.execute(
                uri: "/v1/subscription/renew", method: .post, headers: session.mutatingHeaders
            ) { response in
                #expect(response.status.code == 402)
                #expect((json(response)["error"] as? [String: Any])?["upgrade_url"] as? String == "/app/account/")
            }
            let (_, checkout) = try await rig.startCheckout(session, ["plan_id": "pro"])
            try await rig.post(try await rig.decide(checkout, approve: true))
            try await rig.applyPending()
            try await rig.client.execute(
                uri: "/v1/subscription/cancel", method: .post, headers: session.mutatingHeaders
            ) { response in
                let subscription = json(response)["subscription"] as? [String: Any]
                #expect(subscription?["cancel_at_period_end"] as? Bool == true)
                #expect(subscription?["status"] as? String == "active")
            }
            try await rig.client.execute(
                uri: "/v1/subscription/renew", method: .post, headers: session.mutatingHeaders
            ) { response in
                #expect((json(response)["subscription"] as? [String: Any])?["cancel_at_period_end"] as? Bool == false)
            }
        }
    }

    /// The shopper is back before the webhook: the return page's refresh asks HyperPay for the status (a decline
    /// answered with HTTP 400, read by its result code) and the answer is applied like a notification.
    @Test func returnPageRefreshReadsTheStatusByResultCode() async throws {
        try await Self.run(declineStatus: .badRequest) { rig, session in
            let (paymentID, checkoutID) = try await rig.startCheckout(session, ["plan_id": "pro"])
            _ = try await rig.decide(checkoutID, approve: false)
            try await rig.client.execute(
                uri: "/v1/payments/\(paymentID.uuidString.lowercased())?refresh=1", method: .get,
                headers: session.headers
            ) { response in #expect(response.status == .ok) }
            #expect(try await rig.applyPending() == [.declined(paymentID: paymentID)])

            let (approvedID, approvedCheckout) = try await rig.startCheckout(session, ["plan_id": "pro"])
            _ = try await rig.decide(approvedCheckout, approve: true)
            try await rig.client.execute(
                uri: "/v1/payments/\(approvedID.uuidString.lowercased())?refresh=1", method: .get,
                headers: session.headers
            ) { response in #expect(response.status == .ok) }
            #expect(try await rig.applyPending() == [.activated(paymentID: approvedID)])
        }
    }

    @Test func badSessionRequestsAreRefusedClearly() async throws {
        try await Self.run { rig, session in
            let cases: [([String: Any], String)] = [
                (["plan_id": "pro", "addon": "images_10"], "validation_failed"),
                ([:], "validation_failed"),
                (["plan_id": "platinum"], "validation_failed"),
                (["plan_id": "pro", "provider": "paypal"], "validation_failed"),
                (["plan_id": "pro", "provider": "paytabs"], "payment_provider_unavailable"),
            ]
            for (request, code) in cases {
                try await rig.client.execute(
                    uri: "/v1/payments/session", method: .post, headers: session.mutatingHeaders,
                    body: BackendServiceTests.body(request)
                ) { response in
                    #expect(errorCode(response) == code, "\(request)")
                    #expect((json(response)["error"] as? [String: Any])?["message_ar"] is String)
                }
            }
            let count = try await rig.harness.postgres.query(
                "SELECT count(*)::int FROM payments", logger: Logger(label: "t"))
            for try await n in count.decode(Int.self) { #expect(n == 0) }
        }
    }

    /// The invoice's PDF: a bilingual Word document is made once, and asking again follows the same job.
    @Test func anInvoiceBecomesADocumentOnceAndItsPDFIsQueued() async throws {
        try await Self.run { rig, session in
            let (_, checkoutID) = try await rig.startCheckout(session, ["plan_id": "pro"])
            try await rig.post(try await rig.decide(checkoutID, approve: true))
            try await rig.applyPending()
            let invoiceID = try await rig.client.execute(uri: "/v1/invoices", method: .get, headers: session.headers) {
                response -> String in
                try #require((json(response)["invoices"] as? [[String: Any]])?.first?["id"] as? String)
            }
            var jobs: [String] = []
            for _ in 0..<2 {
                try await rig.client.execute(
                    uri: "/v1/invoices/\(invoiceID)/pdf", method: .post, headers: session.mutatingHeaders
                ) { response in
                    #expect(response.status == .ok)
                    let output = json(response)
                    #expect(output["format"] as? String == "pdf" && output["status"] as? String == "pending")
                    jobs.append(output["job_id"] as? String ?? "")
                }
            }
            #expect(jobs.count == 2 && jobs[0] == jobs[1] && !jobs[0].isEmpty)
            let rows = try await rig.harness.postgres.query(
                """
                SELECT count(*)::int FROM files f JOIN invoices i ON i.file_id = f.id
                WHERE f.content_type LIKE '%wordprocessingml%'
                """, logger: Logger(label: "t"))
            for try await n in rows.decode(Int.self) { #expect(n == 1) }
            let stranger = try await rig.harness.signIn("stranger-invoice@example.jo", client: rig.client)
            try await rig.client.execute(
                uri: "/v1/invoices/\(invoiceID)/pdf", method: .post, headers: stranger.mutatingHeaders
            ) { response in #expect(response.status == .notFound) }
        }
    }
}
