import Core
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Checkout sessions, the return page's status, and the providers' notifications. A notification is verified,
/// stored in `payment_events` before the answer, and applied by the worker (`payments_webhooks`).
struct PaymentRoutes {
    let payments: PaymentRepository
    let plans: PlanRepository
    let providers: [PaymentProviderID: any PaymentProvider]
    let defaultProvider: PaymentProviderID
    let queue: JobQueue
    let limiter: RateLimiter
    let sessionRule: RateLimiter.Rule
    /// The web app's origin (return pages) and the origin providers post to.
    let baseURL: String
    let callbackBaseURL: String
    let logger: Logger

    struct SessionRequest: Decodable {
        let provider: String?
        let planID: String?
        let addon: String?
        enum CodingKeys: String, CodingKey {
            case provider, addon
            case planID = "plan_id"
        }
    }

    struct SessionResponse: ResponseEncodable {
        let paymentID: UUID
        let redirectUrl: String
        let provider: String
        let status: String
        let amountFils: Int
        let amountJOD: String
        enum CodingKeys: String, CodingKey {
            case redirectUrl, provider, status
            case paymentID = "payment_id"
            case amountFils = "amount_fils"
            case amountJOD = "amount_jod"
        }
    }

    struct PaymentView: ResponseEncodable {
        struct Checkout: Encodable {
            let checkoutID: String
            let scriptURL: String?
            let integrity: String?
            let brands: String?
            let hostedPageURL: String?
            let resultURL: String
            enum CodingKeys: String, CodingKey {
                case integrity, brands
                case checkoutID = "checkout_id"
                case scriptURL = "script_url"
                case hostedPageURL = "hosted_page_url"
                case resultURL = "result_url"
            }
        }
        let id: UUID
        let status: String
        let provider: String
        let planID: String?
        let addonID: String?
        let amountFils: Int
        let amountJOD: String
        let currency: String
        let createdAt: Date
        let paidAt: Date?
        let failureReason: String?
        let checkout: Checkout?
        enum CodingKeys: String, CodingKey {
            case id, status, provider, currency, checkout
            case planID = "plan_id"
            case addonID = "addon_id"
            case amountFils = "amount_fils"
            case amountJOD = "amount_jod"
            case createdAt = "created_at"
            case paidAt = "paid_at"
            case failureReason = "failure_reason"
        }
    }

    func register(public group: RouterGroup<BackendRequestContext>) {
        group.post("payments/webhook/:provider", use: webhook)
        // ZainCash returns the shopper's browser with the signed result in `?token=`.
        group.get("payments/webhook/:provider", use: webhook)
    }

    func register(signedIn group: RouterGroup<BackendRequestContext>) {
        group.post("payments/session", use: session)
        group.get("payments/:id", use: status)
    }

    func returnURL(_ id: UUID) -> String { "\(baseURL)/app/checkout/return/?payment=\(id.uuidString.lowercased())" }

    @Sendable func session(_ request: Request, context: BackendRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let input = try await request.decode(as: SessionRequest.self, context: context)
        let providerID =
            try input.provider.map {
                guard let id = PaymentProviderID(rawValue: $0) else {
                    throw AppError.validation(
                        "provider must be hyperpay, paytabs or zaincash.",
                        "يجب أن يكون مزوّد الدفع hyperpay أو paytabs أو zaincash.", field: "provider")
                }
                return id
            } ?? defaultProvider
        guard let provider = providers[providerID] else { throw AppError.paymentProviderUnavailable }
        guard (input.planID == nil) != (input.addon == nil) else {
            throw AppError.validation(
                "Send either plan_id or addon.", "أرسل إما plan_id أو addon.", field: "plan_id")
        }
        var amount = 0
        var description = ""
        if let planID = input.planID {
            guard let plan = try await plans.activePlans().first(where: { $0.id == planID }) else {
                throw AppError.validation(
                    "There is no plan with this id.", "لا توجد خطة بهذا المعرّف.", field: "plan_id")
            }
            amount = plan.priceFils
            description = "AI Studio \(plan.name) (1 month)"
        } else if let addonID = input.addon {
            guard let addon = try await plans.activeAddons().first(where: { $0.id == addonID }) else {
                throw AppError.validation(
                    "There is no add-on with this id.", "لا توجد إضافة بهذا المعرّف.", field: "addon")
            }
            amount = addon.priceFils
            description = "AI Studio \(addon.name)"
        }
        try await limiter.hit("payments:session:\(user.id.uuidString.lowercased())", rule: sessionRule).enforce()

        let payment = try await payments.createPending(
            userID: user.id, planID: input.planID, addonID: input.addon, amountFils: amount, provider: providerID)
        let checkout: CheckoutSession
        do {
            checkout = try await provider.createCheckout(
                CheckoutRequest(
                    paymentID: payment.id, amountFils: amount, description: description, customerEmail: user.email,
                    locale: user.locale, returnURL: returnURL(payment.id),
                    callbackURL: "\(callbackBaseURL)/v1/payments/webhook/\(providerID.rawValue)"))
        } catch {
            logger.error(
                "payment checkout failed",
                metadata: ["provider": "\(providerID.rawValue)", "payment_id": "\(payment.id)", "error": "\(error)"])
            try await payments.markFailed(id: payment.id, reason: "checkout_failed")
            throw AppError.paymentProviderFailed
        }
        try await payments.attachCheckout(id: payment.id, session: checkout)
        let redirect =
            checkout.hostedPageURL ?? "\(baseURL)/app/checkout/?payment=\(payment.id.uuidString.lowercased())"
        var response = try SessionResponse(
            paymentID: payment.id, redirectUrl: redirect, provider: providerID.rawValue, status: "pending",
            amountFils: amount, amountJOD: Money.jod(fils: amount)
        ).response(from: request, context: context)
        response.status = .created
        return response
    }

    /// The payment's state for its owner. `?refresh=1` on a pending payment asks the provider too (the shopper
    /// may come back before the notification); a final answer is stored and applied like a notification.
    @Sendable func status(_ request: Request, context: BackendRequestContext) async throws -> PaymentView {
        let user = try context.requireUser()
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let payment = try await payments.find(id: id, userID: user.id)
        else { throw AppError.notFound }
        if payment.status == .pending, request.uri.queryParameters.get("refresh") == "1",
            let external = payment.externalID, let provider = providers[payment.provider]
        {
            await refresh(payment: payment, externalID: external, provider: provider)
        }
        let current = try await payments.find(id: id, userID: user.id) ?? payment
        return view(current)
    }

    func refresh(payment: PaymentRecord, externalID: String, provider: any PaymentProvider) async {
        do {
            guard
                case .allowed = try await limiter.hit(
                    "payments:refresh:\(payment.id.uuidString.lowercased())", rule: .init(limit: 1, window: .seconds(2))
                )
            else { return }
            let notification = try await provider.fetchStatus(externalID: externalID)
            guard notification.outcome != .pending else { return }
            let raw = try JSONEncoder().encode(notification)
            let key = "status:\(notification.transactionID ?? externalID):\(notification.resultCode)"
            let stored = try await payments.storeEvent(
                provider: payment.provider, source: "status", dedupeKey: key, headers: [:], rawBody: raw,
                notification: notification, reason: nil)
            if stored.status == "received" {
                try await queue.enqueue(
                    .paymentsWebhooks, payload: JobPayloads.PaymentEvent(eventID: stored.id),
                    id: stored.id.uuidString.lowercased())
            }
        } catch {
            logger.warning(
                "payment status refresh failed", metadata: ["payment_id": "\(payment.id)", "error": "\(error)"])
        }
    }

    func view(_ payment: PaymentRecord) -> PaymentView {
        var checkout: PaymentView.Checkout?
        if payment.status == .pending, let session = payment.checkout {
            checkout = .init(
                checkoutID: session.externalID, scriptURL: session.widgetScriptURL, integrity: session.widgetIntegrity,
                brands: session.widgetBrands, hostedPageURL: session.hostedPageURL, resultURL: returnURL(payment.id))
        }
        return PaymentView(
            id: payment.id, status: payment.status.rawValue, provider: payment.provider.rawValue,
            planID: payment.planID, addonID: payment.addonID, amountFils: payment.amountFils,
            amountJOD: Money.jod(fils: payment.amountFils), currency: payment.currency, createdAt: payment.createdAt,
            paidAt: payment.paidAt, failureReason: payment.failureReason, checkout: checkout)
    }

    /// Every notification is answered 2xx once stored (providers retry anything else), including ones that
    /// fail verification: those are stored as rejected, logged at error level, and applied to nothing.
    @Sendable func webhook(_ request: Request, context: BackendRequestContext) async throws -> Response {
        guard let providerID = context.parameters.get("provider").flatMap(PaymentProviderID.init(rawValue:)) else {
            throw AppError.notFound
        }
        let body = Data(buffer: try await request.body.collect(upTo: 256 * 1024))
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            if ["content-type", "x-initialization-vector", "x-authentication-tag", "signature"].contains(name) {
                headers[name] = field.value
            }
        }
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }

        var notification: PaymentNotification?
        var reason: String?
        if let provider = providers[providerID] {
            do {
                notification = try provider.verifyNotification(headers: headers, query: query, body: body)
            } catch let error as PaymentVerificationError {
                reason = error.reason
            } catch {
                reason = "unverifiable"
            }
        } else {
            reason = "provider_not_configured"
        }
        if let reason {
            logger.error(
                "payment notification failed verification",
                metadata: ["provider": "\(providerID.rawValue)", "reason": "\(reason)", "bytes": "\(body.count)"])
        }
        var digestInput = Data(body)
        for name in ["x-initialization-vector", "x-authentication-tag", "signature"] {
            digestInput.append(contentsOf: Array((headers[name] ?? "").utf8))
        }
        digestInput.append(contentsOf: Array((query["token"] ?? "").utf8))
        let dedupeKey = SHA256.hash(data: digestInput).hexString
        let stored = try await payments.storeEvent(
            provider: providerID, dedupeKey: dedupeKey, headers: headers, rawBody: body,
            notification: notification, reason: reason)
        if stored.status == "received" {
            try await queue.enqueue(
                .paymentsWebhooks, payload: JobPayloads.PaymentEvent(eventID: stored.id),
                id: stored.id.uuidString.lowercased())
        }
        if request.method == .get, providerID == .zaincash {
            // The shopper's browser: on to the return page, which waits for the worker.
            let target =
                notification?.merchantReference.flatMap(UUID.init(uuidString:)).map(returnURL)
                ?? "\(baseURL)/app/account/"
            return Response(status: .seeOther, headers: [.location: target])
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: #"{"received":true}"#)))
    }
}

extension AppError {
    static let paymentProviderUnavailable = AppError(
        code: "payment_provider_unavailable", status: .serviceUnavailable,
        message: "This payment method is not available right now. Try another one or come back later.",
        messageAr: "طريقة الدفع هذه غير متاحة الآن. جرّب طريقة أخرى أو عُد لاحقًا.")

    static let paymentProviderFailed = AppError(
        code: "payment_provider_error", status: .badGateway, logLevel: .error,
        message: "The payment provider could not open a checkout. Nothing was charged; please try again.",
        messageAr: "تعذّر على مزوّد الدفع فتح صفحة الدفع. لم يُخصم أي مبلغ؛ حاول مرة أخرى.")
}
