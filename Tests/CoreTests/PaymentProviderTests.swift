import Core
import Crypto
import Foundation
import Testing

/// The providers' verification against the official HyperPay webhook vector and the PayTabs / ZainCash
/// vectors computed from their official SDKs' algorithms (Fixtures/payment_vectors.json).
struct PaymentProviderTests {
    static var vectors: [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/payment_vectors.json")
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    static func hyperpayVector(_ index: Int) -> [String: Any] {
        let group = vectors["hyperpay_oppwa_webhook_aes256gcm"] as! [String: Any]
        return (group["vectors"] as! [[String: Any]])[index]
    }

    static func hyperpay(keyHex: String) throws -> HyperPayProvider {
        HyperPayProvider(
            settings: try HyperPaySettings(
                accessToken: "t", entityID: "e", webhookKeyHex: keyHex, testMode: true, baseURL: "http://127.0.0.1:9"))
    }

    @Test func officialHyperPayVectorDecrypts() throws {
        let vector = Self.hyperpayVector(0)
        let key = SymmetricKey(data: try #require(Data(hexString: vector["key_hex"] as! String)))
        let headers = [
            "x-initialization-vector": vector["x_initialization_vector"] as! String,
            "x-authentication-tag": vector["x_authentication_tag"] as! String,
        ]
        let raw = try HyperPayProvider.decrypt(
            headers: headers, body: Data((vector["body_hex"] as! String).utf8), key: key)
        #expect(String(decoding: raw, as: UTF8.self) == vector["expected_plaintext"] as? String)
        let wrapped = try JSONSerialization.data(withJSONObject: vector["json_wrapped_body"]!)
        let fromJSON = try HyperPayProvider.decrypt(headers: headers, body: wrapped, key: key)
        #expect(fromJSON == raw)
        // `{"type":"PAYMENT"}` with no payload is not a payment we can apply.
        #expect(throws: PaymentVerificationError("payment_without_payload")) {
            try Self.hyperpay(keyHex: vector["key_hex"] as! String).verifyNotification(
                headers: headers, query: [:], body: Data((vector["body_hex"] as! String).utf8))
        }
    }

    @Test func tamperedTagWrongKeyAndGarbageAreRefused() throws {
        let good = Self.hyperpayVector(0)
        let tampered = Self.hyperpayVector(1)
        let body = Data((good["body_hex"] as! String).utf8)
        let iv = good["x_initialization_vector"] as! String
        let provider = try Self.hyperpay(keyHex: good["key_hex"] as! String)
        #expect(throws: PaymentVerificationError("authentication_failed")) {
            try provider.verifyNotification(
                headers: [
                    "x-initialization-vector": iv,
                    "x-authentication-tag": tampered["x_authentication_tag"] as! String,
                ], query: [:], body: body)
        }
        let otherKey = try Self.hyperpay(keyHex: String(repeating: "ab", count: 32))
        let headers = [
            "x-initialization-vector": iv, "x-authentication-tag": good["x_authentication_tag"] as! String,
        ]
        #expect(throws: PaymentVerificationError("authentication_failed")) {
            try otherKey.verifyNotification(headers: headers, query: [:], body: body)
        }
        #expect(throws: PaymentVerificationError("body_not_hex")) {
            try provider.verifyNotification(headers: headers, query: [:], body: Data("not hex at all".utf8))
        }
        #expect(throws: PaymentVerificationError("missing_iv_or_tag")) {
            try provider.verifyNotification(headers: [:], query: [:], body: body)
        }
        #expect(throws: ConfigError.self) {
            try HyperPaySettings(accessToken: "t", entityID: "e", webhookKeyHex: "abcd", testMode: true)
        }
    }

    @Test func encryptedPaymentRoundTripsIntoANotification() throws {
        let keyHex = String(repeating: "0f", count: 32)
        let provider = try Self.hyperpay(keyHex: keyHex)
        let plaintext = Data(
            #"{"type":"PAYMENT","payload":{"id":"8ac7a4a1","ndc":"CHK1.uat01","amount":"5.00","currency":"JOD","merchantTransactionId":"0b7c6a8e-1111-4e5e-9c57-2a1f9d6f0a01","result":{"code":"000.100.110","description":"ok"}}}"#
                .utf8)
        let sealed = try HyperPayProvider.encrypt(plaintext, key: try #require(provider.settings.webhookKey))
        let notification = try provider.verifyNotification(
            headers: ["x-initialization-vector": sealed.iv, "x-authentication-tag": sealed.tag], query: [:],
            body: Data(sealed.body.utf8))
        #expect(notification.outcome == .succeeded)
        #expect(notification.amountFils == 5000)
        #expect(notification.externalID == "CHK1.uat01")
        #expect(notification.transactionID == "8ac7a4a1")
        #expect(notification.merchantReference == "0b7c6a8e-1111-4e5e-9c57-2a1f9d6f0a01")
    }

    @Test(arguments: [
        ("000.000.000", PaymentOutcome.succeeded), ("000.100.110", .succeeded), ("000.100.112", .succeeded),
        ("000.300.000", .succeeded), ("000.200.000", .pending), ("000.200.100", .pending),
        ("000.400.000", .pending), ("000.400.100", .pending), ("800.400.500", .pending), ("100.400.500", .pending),
        ("000.400.030", .failed), ("800.100.151", .failed), ("800.100.152", .failed), ("900.100.300", .failed),
        ("600.200.100", .failed), ("000.100.201", .failed), ("", .failed),
    ])
    func resultCodesAreClassifiedByTheDocumentedGroups(code: String, outcome: PaymentOutcome) {
        #expect(HyperPayResultCode.outcome(code) == outcome)
    }

    @Test func decimalAmountsBecomeExactFils() {
        #expect(Money.fils(fromDecimal: "5.00") == 5000)
        #expect(Money.fils(fromDecimal: "5.000") == 5000)
        #expect(Money.fils(fromDecimal: "5") == 5000)
        #expect(Money.fils(fromDecimal: "1.005") == 1005)
        #expect(Money.fils(fromDecimal: "1.0050") == 1005)
        #expect(Money.fils(fromDecimal: "1.0005") == nil)
        #expect(Money.fils(fromDecimal: "-1.00") == nil)
        #expect(Money.fils(fromDecimal: "1,00") == nil)
        #expect(Money.fils(fromDecimal: "") == nil)
        #expect(Money.fils(fromDecimal: "5.") == nil)
        #expect(Money.decimal(3000) == "3.00")
        #expect(Money.decimal(1005) == "1.005")
    }

    // MARK: PayTabs

    static var paytabs: [String: Any] { vectors["paytabs_synthetic"] as! [String: Any] }

    static func paytabsProvider(key: String? = nil) -> PayTabsProvider {
        PayTabsProvider(
            settings: PayTabsSettings(
                profileID: 1, serverKey: key ?? (paytabs["server_key"] as! String), baseURL: "http://127.0.0.1:9"))
    }

    @Test func payTabsCallbackSignatureIsTheHMACOfTheRawBody() throws {
        let ipn = Self.paytabs["ipn_callback"] as! [String: Any]
        let body = Data((ipn["raw_body"] as! String).utf8)
        let headers = ["signature": ipn["header_signature"] as! String]
        let notification = try Self.paytabsProvider().verifyNotification(headers: headers, query: [:], body: body)
        #expect(notification.outcome == .succeeded)
        #expect(notification.merchantReference == "cart_11111")
        #expect(notification.externalID == "TST2016700000692")
        #expect(notification.amountFils == 100_000)
        #expect(notification.currency == "SAR")

        var changed = body
        changed[changed.count - 3] ^= 0x01
        #expect(throws: PaymentVerificationError("bad_signature")) {
            try Self.paytabsProvider().verifyNotification(headers: headers, query: [:], body: changed)
        }
        #expect(throws: PaymentVerificationError("bad_signature")) {
            try Self.paytabsProvider(key: "SOTHER-KEY").verifyNotification(headers: headers, query: [:], body: body)
        }
        #expect(throws: PaymentVerificationError("missing_signature")) {
            try Self.paytabsProvider().verifyNotification(headers: [:], query: [:], body: body)
        }
    }

    @Test func payTabsReturnSignatureFollowsTheSDKQueryString() throws {
        let ret = Self.paytabs["return_post"] as! [String: Any]
        let fields = ret["form_fields"] as! [String: String]
        let filtered = fields.filter { $0.key != "signature" && !$0.value.isEmpty }.sorted { $0.key < $1.key }
        #expect(FormEncoding.encode(filtered.map { ($0.key, $0.value) }) == ret["filtered_sorted_query"] as? String)
        #expect(Self.paytabsProvider().verifyReturn(fields: fields))
        var forged = fields
        forged["respStatus"] = "D"
        #expect(!Self.paytabsProvider().verifyReturn(fields: forged))
    }

    // MARK: ZainCash

    static var zaincash: [String: Any] { vectors["zaincash_v1_synthetic"] as! [String: Any] }

    static func zaincashProvider(now: Date, secret: String? = nil) -> ZainCashProvider {
        ZainCashProvider(
            settings: ZainCashSettings(
                merchantID: "m", secret: secret ?? (zaincash["secret"] as! String), msisdn: "9647835077893",
                baseURL: "http://127.0.0.1:9", iqdPerJOD: 1850),
            now: { now })
    }

    @Test func zainCashResultTokenIsVerifiedWithTheMerchantSecret() throws {
        let redirect = Self.zaincash["redirect_token"] as! [String: Any]
        let token = redirect["jwt"] as! String
        let inTime = Date(timeIntervalSince1970: 1_700_000_200)
        let notification = try Self.zaincashProvider(now: inTime).verifyNotification(
            headers: [:], query: ["token": token], body: Data())
        #expect(notification.outcome == .succeeded)
        #expect(notification.merchantReference == "Bill_1234567890")
        #expect(notification.externalID == "58650f0f90c6362288da08cf")
        #expect(notification.amount == nil)

        #expect(throws: PaymentVerificationError("token_expired")) {
            try Self.zaincashProvider(now: Date(timeIntervalSince1970: 1_800_000_000)).verifyNotification(
                headers: [:], query: ["token": token], body: Data())
        }
        #expect(throws: PaymentVerificationError("bad_signature")) {
            try Self.zaincashProvider(now: inTime, secret: "another-secret").verifyNotification(
                headers: [:], query: ["token": token], body: Data())
        }
        // The init vector's token verifies too, and what we sign verifies back with the same claims.
        let initToken = (Self.zaincash["init_request"] as! [String: Any])["jwt"] as! String
        let claims = try ZainCashProvider.verify(initToken, secret: Self.zaincash["secret"] as! String, now: inTime)
        #expect(claims["orderId"] as? String == "Bill_1234567890")
        #expect((claims["amount"] as? NSNumber)?.intValue == 1000)
        let ours = try ZainCashProvider.sign(["status": "failed", "orderid": "x", "exp": 1_700_000_500], secret: "s")
        let back = try ZainCashProvider.verify(ours, secret: "s", now: inTime)
        #expect(back["status"] as? String == "failed")
        #expect(Self.zaincashProvider(now: inTime).iqd(fromFils: 3000) == 5550)
    }
}
