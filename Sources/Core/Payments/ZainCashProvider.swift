import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// ZainCash (v1 JWT flow) settings: `ZAINCASH_MERCHANT_ID`, `ZAINCASH_SECRET`, `ZAINCASH_MSISDN`,
/// `ZAINCASH_TEST_MODE`, `ZAINCASH_IQD_PER_JOD` (ZainCash charges in Iraqi dinars), `ZAINCASH_BASE_URL`.
public struct ZainCashSettings: Sendable {
    public let merchantID: String
    public let secret: String
    public let msisdn: String
    public let baseURL: String
    public let iqdPerJOD: Int

    public init(merchantID: String, secret: String, msisdn: String, baseURL: String, iqdPerJOD: Int) {
        self.merchantID = merchantID
        self.secret = secret
        self.msisdn = msisdn
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.iqdPerJOD = iqdPerJOD
    }

    /// nil when ZainCash is not configured.
    public init?(_ source: ConfigSource) throws {
        guard let merchant = source["ZAINCASH_MERCHANT_ID"], let secret = source["ZAINCASH_SECRET"] else { return nil }
        guard let msisdn = source["ZAINCASH_MSISDN"] else { throw ConfigError.missing("ZAINCASH_MSISDN") }
        let test = try source.bool("ZAINCASH_TEST_MODE", default: true)
        self.init(
            merchantID: merchant, secret: secret, msisdn: msisdn,
            baseURL: source["ZAINCASH_BASE_URL"] ?? (test ? "https://test.zaincash.iq" : "https://api.zaincash.iq"),
            iqdPerJOD: try source.int("ZAINCASH_IQD_PER_JOD", default: 1850, range: 1...1_000_000))
    }
}

/// ZainCash v1: an HS256 JWT (merchant secret) posted form-encoded to `transaction/init`, the shopper sent to
/// `transaction/pay?id=…`, and the result coming back as an HS256 JWT in `?token=` on the redirect URL.
/// The result token carries no amount; it is trusted because only the holder of the secret can sign it and the
/// amount was fixed inside our own signed request.
public struct ZainCashProvider: PaymentProvider {
    public let id = PaymentProviderID.zaincash
    public let settings: ZainCashSettings
    let http: OutgoingHTTP
    let now: @Sendable () -> Date

    public init(
        settings: ZainCashSettings, http: OutgoingHTTP = OutgoingHTTP(defaultTimeout: .seconds(20)),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.settings = settings
        self.http = http
        self.now = now
    }

    public func iqd(fromFils fils: Int) -> Int { (fils * settings.iqdPerJOD + 999) / 1000 }

    public func createCheckout(_ request: CheckoutRequest) async throws -> CheckoutSession {
        let issued = Int(now().timeIntervalSince1970)
        let token = try Self.sign(
            [
                "amount": iqd(fromFils: request.amountFils), "serviceType": request.description,
                "msisdn": settings.msisdn, "orderId": request.reference, "redirectUrl": request.callbackURL,
                "iat": issued, "exp": issued + 4 * 3600,
            ], secret: settings.secret)
        let object = try await post(
            "transaction/init",
            [("token", token), ("merchantId", settings.merchantID), ("lang", request.locale == "en" ? "en" : "ar")])
        guard let id = object["id"] as? String, !id.isEmpty else {
            let message = (object["err"] as? [String: Any])?["msg"] as? String ?? "no transaction id"
            throw PaymentProviderError(provider: .zaincash, code: "init_failed", detail: message)
        }
        return CheckoutSession(externalID: id, hostedPageURL: "\(settings.baseURL)/transaction/pay?id=\(id)")
    }

    public func fetchStatus(externalID: String) async throws -> PaymentNotification {
        let issued = Int(now().timeIntervalSince1970)
        let token = try Self.sign(
            ["id": externalID, "msisdn": settings.msisdn, "iat": issued, "exp": issued + 3600],
            secret: settings.secret)
        let object = try await post("transaction/get", [("token", token), ("merchantId", settings.merchantID)])
        let status = object["status"] as? String ?? ""
        return PaymentNotification(
            provider: .zaincash, kind: .payment,
            merchantReference: object["orderId"] as? String ?? object["orderid"] as? String, externalID: externalID,
            transactionID: externalID, amount: nil, currency: nil, resultCode: status,
            resultDescription: object["msg"] as? String ?? status, outcome: Self.outcome(status))
    }

    /// The result token from `?token=` (or a `token` form field): signature, expiry, then its claims.
    public func verifyNotification(headers: [String: String], query: [String: String], body: Data) throws
        -> PaymentNotification
    {
        let token =
            query["token"] ?? FormEncoding.decode(String(decoding: body, as: UTF8.self))["token"]
            ?? (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["token"] as? String
        guard let token, !token.isEmpty else { throw PaymentVerificationError("missing_token") }
        let claims = try Self.verify(token, secret: settings.secret, now: now())
        let status = claims["status"] as? String ?? ""
        return PaymentNotification(
            provider: .zaincash, kind: .payment, merchantReference: claims["orderid"] as? String,
            externalID: claims["id"] as? String, transactionID: claims["id"] as? String, amount: nil, currency: nil,
            resultCode: status, resultDescription: claims["msg"] as? String ?? status, outcome: Self.outcome(status))
    }

    static func outcome(_ status: String) -> PaymentOutcome {
        switch status {
        case "success", "completed": .succeeded
        case "pending": .pending
        default: .failed
        }
    }

    func post(_ path: String, _ fields: [(String, String)]) async throws -> [String: Any] {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let reply = try await http.send(
            .POST, "\(settings.baseURL)/\(path)", headers: headers, body: Data(FormEncoding.encode(fields).utf8))
        guard let object = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any] else {
            throw PaymentProviderError(provider: .zaincash, code: "bad_response", detail: "HTTP \(reply.status)")
        }
        return object
    }

    // MARK: HS256 compact JWT
    // Written here rather than with jwt-kit (used for sessions): jwt-kit refuses HS256 secrets shorter than
    // 32 bytes, and ZainCash merchant secrets (like its test vector's) can be shorter.

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func fromBase64URL(_ text: Substring) -> Data? {
        var base = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.count % 4 != 0 { base += "=" }
        return Data(base64Encoded: base)
    }

    /// Signs claims as a compact JWT with header `{"alg":"HS256","typ":"JWT"}`.
    public static func sign(_ claims: [String: Any], secret: String) throws -> String {
        let header = base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = base64URL(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]))
        let input = "\(header).\(payload)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "\(input).\(base64URL(Data(mac)))"
    }

    /// Checks an HS256 compact JWT and returns its claims.
    public static func verify(_ token: String, secret: String, now: Date) throws -> [String: Any] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = fromBase64URL(parts[0]), let payload = fromBase64URL(parts[1]),
            let signature = fromBase64URL(parts[2]),
            let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any]
        else { throw PaymentVerificationError("malformed_token") }
        guard header["alg"] as? String == "HS256" else { throw PaymentVerificationError("unexpected_algorithm") }
        guard
            HMAC<SHA256>.isValidAuthenticationCode(
                signature, authenticating: Data("\(parts[0]).\(parts[1])".utf8),
                using: SymmetricKey(data: Data(secret.utf8)))
        else { throw PaymentVerificationError("bad_signature") }
        guard let claims = try? JSONSerialization.jsonObject(with: payload) as? [String: Any] else {
            throw PaymentVerificationError("malformed_token")
        }
        if let exp = (claims["exp"] as? NSNumber)?.doubleValue, exp < now.timeIntervalSince1970 {
            throw PaymentVerificationError("token_expired")
        }
        return claims
    }
}
