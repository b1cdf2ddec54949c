import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// PayTabs PT2 settings: `PAYTABS_PROFILE_ID`, `PAYTABS_SERVER_KEY`, `PAYTABS_REGION` (JOR by default) or
/// `PAYTABS_BASE_URL`.
public struct PayTabsSettings: Sendable {
    public static let regions: [String: String] = [
        "ARE": "https://secure.paytabs.com", "SAU": "https://secure.paytabs.sa",
        "OMN": "https://secure-oman.paytabs.com", "JOR": "https://secure-jordan.paytabs.com",
        "EGY": "https://secure-egypt.paytabs.com", "IRQ": "https://secure-iraq.paytabs.com",
        "KWT": "https://secure-kuwait.paytabs.com", "MAR": "https://secure-morocco.paytabs.com",
        "QAT": "https://secure-doha.paytabs.com", "GLOBAL": "https://secure-global.paytabs.com",
    ]

    public let profileID: Int
    public let serverKey: String
    public let baseURL: String

    public init(profileID: Int, serverKey: String, baseURL: String) {
        self.profileID = profileID
        self.serverKey = serverKey
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
    }

    /// nil when PayTabs is not configured.
    public init?(_ source: ConfigSource) throws {
        guard let key = source["PAYTABS_SERVER_KEY"], source["PAYTABS_PROFILE_ID"] != nil else { return nil }
        let profile = try source.int("PAYTABS_PROFILE_ID", default: 0, range: 1...Int.max)
        let region = source.string("PAYTABS_REGION", default: "JOR").uppercased()
        guard let base = source["PAYTABS_BASE_URL"] ?? Self.regions[region] else {
            throw ConfigError(key: "PAYTABS_REGION", reason: "must be one of \(Self.regions.keys.sorted())")
        }
        self.init(profileID: profile, serverKey: key, baseURL: base)
    }
}

/// PayTabs PT2 hosted payment page: JSON `payment/request` with the server key as `Authorization` (no
/// "Bearer"), the shopper sent to `redirect_url`, and a server-to-server callback signed with
/// `signature: hex(HMAC-SHA256(server_key, raw body))`.
public struct PayTabsProvider: PaymentProvider {
    public let id = PaymentProviderID.paytabs
    public let settings: PayTabsSettings
    let http: OutgoingHTTP

    public init(settings: PayTabsSettings, http: OutgoingHTTP = OutgoingHTTP(defaultTimeout: .seconds(20))) {
        self.settings = settings
        self.http = http
    }

    public func createCheckout(_ request: CheckoutRequest) async throws -> CheckoutSession {
        let body: [String: Any] = [
            "profile_id": settings.profileID, "tran_type": "sale", "tran_class": "ecom",
            "cart_id": request.reference, "cart_currency": request.currency,
            "cart_amount": NSDecimalNumber(string: Money.jod(fils: request.amountFils)),
            "cart_description": request.description, "paypage_lang": request.locale == "en" ? "en" : "ar",
            "callback": request.callbackURL, "return": request.returnURL, "hide_shipping": true,
            "customer_details": ["email": request.customerEmail, "name": request.customerEmail],
        ]
        let object = try await post("payment/request", body)
        guard let reference = object["tran_ref"] as? String, let page = object["redirect_url"] as? String else {
            throw PaymentProviderError(
                provider: .paytabs, code: "\(object["code"] ?? "bad_response")",
                detail: object["message"] as? String ?? "no redirect_url")
        }
        return CheckoutSession(externalID: reference, hostedPageURL: page)
    }

    public func fetchStatus(externalID: String) async throws -> PaymentNotification {
        let object = try await post("payment/query", ["profile_id": settings.profileID, "tran_ref": externalID])
        guard object["tran_ref"] != nil else {
            throw PaymentProviderError(
                provider: .paytabs, code: "\(object["code"] ?? "bad_response")",
                detail: object["message"] as? String ?? "no tran_ref")
        }
        return Self.notification(object)
    }

    /// The callback (IPN): the `signature` header must be the HMAC of the exact bytes received.
    public func verifyNotification(headers: [String: String], query: [String: String], body: Data) throws
        -> PaymentNotification
    {
        guard let signature = headers["signature"], let given = Data(hexString: signature) else {
            throw PaymentVerificationError("missing_signature")
        }
        let key = SymmetricKey(data: Data(settings.serverKey.utf8))
        guard HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: body, using: key) else {
            throw PaymentVerificationError("bad_signature")
        }
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw PaymentVerificationError("body_not_json")
        }
        return Self.notification(object)
    }

    /// The browser's return POST: drop `signature` and empty fields, sort by name, form-encode as PHP's
    /// `http_build_query` does, and compare with `hex(HMAC-SHA256(server_key, query))`.
    public func verifyReturn(fields: [String: String]) -> Bool {
        guard let signature = fields["signature"], let given = Data(hexString: signature) else { return false }
        let query = FormEncoding.encode(
            fields.filter { $0.key != "signature" && !$0.value.isEmpty }.sorted { $0.key < $1.key }.map {
                ($0.key, $0.value)
            })
        return HMAC<SHA256>.isValidAuthenticationCode(
            given, authenticating: Data(query.utf8), using: SymmetricKey(data: Data(settings.serverKey.utf8)))
    }

    func post(_ path: String, _ body: [String: Any]) async throws -> [String: Any] {
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: settings.serverKey)
        headers.add(name: "Content-Type", value: "application/json")
        let reply = try await http.send(
            .POST, "\(settings.baseURL)/\(path)", headers: headers,
            body: try JSONSerialization.data(withJSONObject: body))
        guard let object = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any] else {
            throw PaymentProviderError(provider: .paytabs, code: "bad_response", detail: "HTTP \(reply.status)")
        }
        return object
    }

    static func notification(_ object: [String: Any]) -> PaymentNotification {
        let result = object["payment_result"] as? [String: Any] ?? [:]
        let status = result["response_status"] as? String ?? ""
        let outcome: PaymentOutcome =
            switch status {
            case "A": .succeeded
            case "H", "P": .pending
            default: .failed
            }
        func text(_ key: String) -> String? {
            if let string = object[key] as? String { return string }
            if let number = object[key] as? NSNumber { return number.stringValue }
            return nil
        }
        return PaymentNotification(
            provider: .paytabs, kind: .payment, merchantReference: text("cart_id"), externalID: text("tran_ref"),
            transactionID: text("tran_ref"), amount: text("tran_total") ?? text("cart_amount"),
            currency: text("tran_currency") ?? text("cart_currency"),
            resultCode: [status, result["response_code"] as? String ?? ""].joined(separator: ":"),
            resultDescription: result["response_message"] as? String ?? "", outcome: outcome)
    }
}
