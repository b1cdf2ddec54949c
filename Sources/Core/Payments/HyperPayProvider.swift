import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// HyperPay's settings: `HYPERPAY_API_KEY` (the Bearer access token), `HYPERPAY_ENTITY_ID`,
/// `HYPERPAY_WEBHOOK_KEY` (64 hex characters), `HYPERPAY_TEST_MODE` (test host), `HYPERPAY_BASE_URL` (a fake or
/// regional host instead), `HYPERPAY_BRANDS` (the card brands the widget offers).
public struct HyperPaySettings: Sendable {
    public static let testBaseURL = "https://eu-test.oppwa.com"
    public static let liveBaseURL = "https://eu-prod.oppwa.com"

    public let accessToken: String
    public let entityID: String
    public let webhookKey: SymmetricKey?
    public let testMode: Bool
    public let baseURL: String
    /// Where browsers load the widget from; the API host unless the API is reached by another name.
    public let widgetBaseURL: String
    public let brands: String

    public init(
        accessToken: String, entityID: String, webhookKeyHex: String?, testMode: Bool, baseURL: String? = nil,
        widgetBaseURL: String? = nil, brands: String = "VISA MASTER MADA"
    ) throws {
        self.accessToken = accessToken
        self.entityID = entityID
        if let hex = webhookKeyHex {
            guard hex.count == 64, let bytes = Data(hexString: hex) else {
                throw ConfigError(
                    key: "HYPERPAY_WEBHOOK_KEY", reason: "must be 64 hexadecimal characters (a 256-bit key)")
            }
            webhookKey = SymmetricKey(data: bytes)
        } else {
            webhookKey = nil
        }
        self.testMode = testMode
        var base = baseURL ?? (testMode ? Self.testBaseURL : Self.liveBaseURL)
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") { base.removeLast(3) }
        self.baseURL = base
        self.widgetBaseURL = widgetBaseURL ?? base
        self.brands = brands
    }

    /// nil when HyperPay is not configured (no access token or entity id).
    public init?(_ source: ConfigSource) throws {
        guard let token = source["HYPERPAY_API_KEY"], let entity = source["HYPERPAY_ENTITY_ID"] else { return nil }
        try self.init(
            accessToken: token, entityID: entity, webhookKeyHex: source["HYPERPAY_WEBHOOK_KEY"],
            testMode: try source.bool("HYPERPAY_TEST_MODE", default: true), baseURL: source["HYPERPAY_BASE_URL"],
            brands: source.string("HYPERPAY_BRANDS", default: "VISA MASTER MADA"))
    }
}

/// HyperPay (OPPWA COPYandPAY): form-encoded checkouts with a Bearer token, the payment widget on our page,
/// status by `GET /v1/checkouts/{id}/payment`, and AES-256-GCM encrypted webhooks. Results are read from
/// `result.code`, never from the HTTP status.
public struct HyperPayProvider: PaymentProvider {
    public let id = PaymentProviderID.hyperpay
    public let settings: HyperPaySettings
    let http: OutgoingHTTP

    public init(settings: HyperPaySettings, http: OutgoingHTTP = OutgoingHTTP(defaultTimeout: .seconds(20))) {
        self.settings = settings
        self.http = http
    }

    public func createCheckout(_ request: CheckoutRequest) async throws -> CheckoutSession {
        let fields: [(String, String)] = [
            ("entityId", settings.entityID),
            ("amount", Money.decimal(request.amountFils)),
            ("currency", request.currency),
            ("paymentType", "DB"),
            ("merchantTransactionId", request.reference),
            ("customer.email", request.customerEmail),
            ("integrity", "true"),
        ]
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer \(settings.accessToken)")
        headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let reply = try await http.send(
            .POST, "\(settings.baseURL)/v1/checkouts", headers: headers, body: Data(FormEncoding.encode(fields).utf8))
        let object = try Self.object(reply.body)
        let result = Self.result(object)
        guard result.code.hasPrefix("000.200"), let checkoutID = object["id"] as? String, !checkoutID.isEmpty else {
            throw PaymentProviderError(provider: .hyperpay, code: result.code, detail: result.description)
        }
        return CheckoutSession(
            externalID: checkoutID,
            widgetScriptURL: "\(settings.widgetBaseURL)/v1/paymentWidgets.js?checkoutId=\(checkoutID)",
            widgetIntegrity: object["integrity"] as? String, widgetBrands: settings.brands)
    }

    public func fetchStatus(externalID: String) async throws -> PaymentNotification {
        guard externalID.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else {
            throw PaymentProviderError(provider: .hyperpay, code: "invalid_id", detail: "not a checkout id")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer \(settings.accessToken)")
        let entity = FormEncoding.escape(settings.entityID)
        let reply = try await http.send(
            .GET, "\(settings.baseURL)/v1/checkouts/\(externalID)/payment?entityId=\(entity)", headers: headers)
        let object = try Self.object(reply.body)
        var notification = Self.notification(payment: object)
        if notification.externalID == nil {
            notification = PaymentNotification(
                provider: .hyperpay, kind: .payment, merchantReference: notification.merchantReference,
                externalID: externalID, transactionID: notification.transactionID, amount: notification.amount,
                currency: notification.currency, resultCode: notification.resultCode,
                resultDescription: notification.resultDescription, outcome: notification.outcome)
        }
        return notification
    }

    /// Decrypts a webhook: hex body (raw, or JSON `{"encryptedBody": "…"}`), hex IV and tag from the
    /// `X-Initialization-Vector` and `X-Authentication-Tag` headers, AES-256-GCM with the webhook key.
    public func verifyNotification(headers: [String: String], query: [String: String], body: Data) throws
        -> PaymentNotification
    {
        guard let key = settings.webhookKey else { throw PaymentVerificationError("webhook_key_not_configured") }
        let plaintext = try Self.decrypt(headers: headers, body: body, key: key)
        guard let object = try? JSONSerialization.jsonObject(with: plaintext) as? [String: Any] else {
            throw PaymentVerificationError("plaintext_not_json")
        }
        let type = (object["type"] as? String ?? "").uppercased()
        switch type {
        case "PAYMENT":
            guard let payload = object["payload"] as? [String: Any] else {
                throw PaymentVerificationError("payment_without_payload")
            }
            return Self.notification(payment: payload)
        case "TEST":
            return PaymentNotification(
                provider: .hyperpay, kind: .test, merchantReference: nil, externalID: nil, transactionID: nil,
                amount: nil, currency: nil, resultCode: "", resultDescription: "test notification", outcome: .pending)
        default:
            return PaymentNotification(
                provider: .hyperpay, kind: .other, merchantReference: nil, externalID: nil, transactionID: nil,
                amount: nil, currency: nil, resultCode: "", resultDescription: "type \(type)", outcome: .pending)
        }
    }

    public static func decrypt(headers: [String: String], body: Data, key: SymmetricKey) throws -> Data {
        guard let ivHex = headers["x-initialization-vector"], let tagHex = headers["x-authentication-tag"] else {
            throw PaymentVerificationError("missing_iv_or_tag")
        }
        guard let iv = Data(hexString: ivHex.trimmingCharacters(in: .whitespaces)), iv.count == 12,
            let tag = Data(hexString: tagHex.trimmingCharacters(in: .whitespaces)), tag.count == 16
        else { throw PaymentVerificationError("malformed_iv_or_tag") }
        var text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("{") {
            guard let wrapper = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
                let inner = wrapper["encryptedBody"] as? String
            else { throw PaymentVerificationError("body_not_hex") }
            text = inner
        }
        guard !text.isEmpty, let ciphertext = Data(hexString: text) else {
            throw PaymentVerificationError("body_not_hex")
        }
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: iv), ciphertext: ciphertext, tag: tag)
            return try AES.GCM.open(box, using: key)
        } catch {
            throw PaymentVerificationError("authentication_failed")
        }
    }

    /// Encrypts a notification the way HyperPay does; the local fake server and the tests use it.
    public static func encrypt(_ plaintext: Data, key: SymmetricKey) throws -> (body: String, iv: String, tag: String) {
        let nonce = AES.GCM.Nonce()
        let box = try AES.GCM.seal(plaintext, using: key, nonce: nonce)
        return (
            box.ciphertext.hexString.uppercased(), Data(nonce).hexString.uppercased(), box.tag.hexString.uppercased()
        )
    }

    static func object(_ body: Data) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw PaymentProviderError(
                provider: .hyperpay, code: "bad_response", detail: String(decoding: body.prefix(200), as: UTF8.self))
        }
        return object
    }

    static func result(_ object: [String: Any]) -> (code: String, description: String) {
        let result = object["result"] as? [String: Any] ?? [:]
        return (result["code"] as? String ?? "", result["description"] as? String ?? "")
    }

    /// A payment object (status answer or webhook payload) in our shape.
    static func notification(payment: [String: Any]) -> PaymentNotification {
        let result = result(payment)
        return PaymentNotification(
            provider: .hyperpay, kind: .payment,
            merchantReference: payment["merchantTransactionId"] as? String,
            externalID: payment["ndc"] as? String, transactionID: payment["id"] as? String,
            amount: payment["amount"] as? String, currency: payment["currency"] as? String,
            resultCode: result.code, resultDescription: result.description,
            outcome: HyperPayResultCode.outcome(result.code))
    }
}

/// The documented result-code groups (OPPWA "result codes"), as the official HyperPay plugins read them.
public enum HyperPayResultCode {
    public static func outcome(_ code: String) -> PaymentOutcome {
        let success = #/^(000\.000\.|000\.100\.1|000\.[36]|000\.400\.[1][12]0)/#
        let review = #/^(000\.400\.0[^3]|000\.400\.100)/#
        let pending = #/^(000\.200|800\.400\.5|100\.400\.500)/#
        if code.prefixMatch(of: success) != nil { return .succeeded }
        // Manual review is money held, not yet ours: wait for the final notification.
        if code.prefixMatch(of: review) != nil || code.prefixMatch(of: pending) != nil { return .pending }
        return .failed
    }
}
