import Core
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// A local stand-in for HyperPay's OPPWA test server, in its wire format, so the whole payment flow runs on a
/// laptop and in tests: form-encoded `POST /v1/checkouts` with a Bearer token, a `paymentWidgets.js` that draws
/// "approve" and "decline" test buttons into the shop's `form.paymentWidgets`, `GET /v1/checkouts/{id}/payment`,
/// and AES-256-GCM encrypted webhooks with hex IV and tag headers. It is mounted by the backend only in local
/// mode with no HyperPay key configured, and is labelled as a test checkout on the page it draws.
final class FakeOPPWA: Sendable {
    struct Checkout: Sendable {
        let id: String
        let entityID: String
        let amount: String
        let currency: String
        let merchantTransactionID: String
        var paymentID: String?
        var resultCode: String?
        var resultDescription: String?
    }

    /// One webhook as HyperPay sends it: hex ciphertext body, hex IV and tag headers.
    struct Delivery: Sendable {
        let body: String
        let iv: String
        let tag: String

        var headers: HTTPFields {
            [
                .contentType: "text/plain", HTTPField.Name("X-Initialization-Vector")!: iv,
                HTTPField.Name("X-Authentication-Tag")!: tag,
            ]
        }
    }

    static let approvedCode = ("000.100.110", "Request successfully processed in 'Merchant in Integrator Test Mode'")
    static let declinedCode = ("800.100.151", "transaction declined (invalid card)")

    let accessToken: String
    let entityID: String
    let webhookKey: SymmetricKey
    /// Declines answer with this HTTP status (HyperPay's is not documented; clients must read `result.code`).
    let declineStatus: HTTPResponse.Status
    let deliver: @Sendable (Delivery) async -> Void
    let checkouts = Mutex<[String: Checkout]>([:])

    init(
        accessToken: String, entityID: String, webhookKey: SymmetricKey, declineStatus: HTTPResponse.Status = .ok,
        deliver: @escaping @Sendable (Delivery) async -> Void
    ) {
        self.accessToken = accessToken
        self.entityID = entityID
        self.webhookKey = webhookKey
        self.declineStatus = declineStatus
        self.deliver = deliver
    }

    /// Posts webhooks to `url` with a plain HTTP client (local mode).
    static func posting(to url: String, logger: Logger) -> @Sendable (Delivery) async -> Void {
        { delivery in
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/plain")
            headers.add(name: "X-Initialization-Vector", value: delivery.iv)
            headers.add(name: "X-Authentication-Tag", value: delivery.tag)
            do {
                let reply = try await OutgoingHTTP().send(
                    .POST, url, headers: headers, body: Data(delivery.body.utf8), timeout: .seconds(10))
                logger.info("fake OPPWA webhook delivered", metadata: ["status": "\(reply.status)"])
            } catch {
                logger.error("fake OPPWA webhook failed", metadata: ["error": "\(error)"])
            }
        }
    }

    static let widgetScript = """
        (function () {
          var script = document.currentScript;
          var src = new URL(script.src);
          var checkoutId = src.searchParams.get("checkoutId");
          var base = src.href.split("/v1/paymentWidgets.js")[0];
          function draw() {
            var form = document.querySelector("form.paymentWidgets");
            if (!form) { return; }
            var box = document.createElement("div");
            box.className = "fake-oppwa";
            box.setAttribute("data-testid", "fake-oppwa");
            box.innerHTML = '<p><strong>بوابة دفع تجريبية محلية — Local test checkout</strong></p>' +
              '<p>لا تُدفع أي أموال هنا. No money moves here. (' + (form.getAttribute("data-brands") || "") + ')</p>';
            [["approve", "موافقة — Approve"], ["decline", "رفض — Decline"]].forEach(function (pair) {
              var button = document.createElement("button");
              button.type = "button";
              button.name = pair[0];
              button.textContent = pair[1];
              button.addEventListener("click", function () {
                var body = new URLSearchParams({ decision: pair[0] });
                fetch(base + "/v1/checkouts/" + encodeURIComponent(checkoutId) + "/decide", { method: "POST", body: body })
                  .then(function () {
                    var target = new URL(form.action, window.location.href);
                    target.searchParams.set("id", checkoutId);
                    target.searchParams.set("resourcePath", "/v1/checkouts/" + checkoutId + "/payment");
                    window.location.assign(target.toString());
                  });
              });
              box.appendChild(button);
            });
            form.appendChild(box);
          }
          if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
        })();
        """

    /// The Subresource Integrity hash of the widget, as `integrity=true` checkouts return it.
    static let widgetIntegrity =
        "sha384-" + Data(SHA384.hash(data: Data(widgetScript.utf8))).base64EncodedString()

    func register<Context: RequestContext>(on group: RouterGroup<Context>) {
        group.post("v1/checkouts") { request, _ -> Response in
            guard request.headers[.authorization] == "Bearer \(self.accessToken)" else {
                return Self.json(
                    .unauthorized,
                    ["result": ["code": "800.900.300", "description": "invalid authentication information"]])
            }
            let form = FormEncoding.decode(String(buffer: try await request.body.collect(upTo: 64 * 1024)))
            guard form["entityId"] == self.entityID else {
                return Self.json(
                    .badRequest,
                    ["result": ["code": "800.900.300", "description": "invalid authentication information"]])
            }
            guard let amount = form["amount"], amount.wholeMatch(of: #/[0-9]{1,10}\.[0-9]{2,3}/#) != nil,
                let currency = form["currency"], currency.count == 3, form["paymentType"] == "DB"
            else {
                return Self.json(
                    .badRequest,
                    ["result": ["code": "200.300.404", "description": "invalid or missing parameter"]])
            }
            let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").uppercased() + ".uat01-vm-tx01"
            let checkout = Checkout(
                id: id, entityID: self.entityID, amount: amount, currency: currency,
                merchantTransactionID: form["merchantTransactionId"] ?? "", paymentID: nil, resultCode: nil,
                resultDescription: nil)
            self.checkouts.withLock { $0[id] = checkout }
            var body: [String: Any] = [
                "result": ["code": "000.200.100", "description": "successfully created checkout"],
                "buildNumber": "fake-oppwa@local", "timestamp": Self.timestamp(), "ndc": id, "id": id,
            ]
            if form["integrity"] == "true" { body["integrity"] = Self.widgetIntegrity }
            return Self.json(.ok, body)
        }
        group.get("v1/paymentWidgets.js") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: Self.widgetScript)))
        }
        group.post("v1/checkouts/:id/decide") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let form = FormEncoding.decode(String(buffer: try await request.body.collect(upTo: 4096)))
            guard await self.decide(checkoutID: id, approve: form["decision"] == "approve") else {
                return Self.json(.notFound, ["result": ["code": "200.300.404", "description": "unknown checkout"]])
            }
            return Self.json(.ok, ["result": ["code": "000.000.000", "description": "decision recorded"]])
        }
        group.get("v1/checkouts/:id/payment") { request, context -> Response in
            guard request.headers[.authorization] == "Bearer \(self.accessToken)" else {
                return Self.json(
                    .unauthorized,
                    ["result": ["code": "800.900.300", "description": "invalid authentication information"]])
            }
            let id = context.parameters.get("id") ?? ""
            guard let checkout = self.checkouts.withLock({ $0[id] }) else {
                return Self.json(
                    .notFound, ["result": ["code": "200.300.404", "description": "No payment session found"]])
            }
            guard checkout.resultCode != nil else {
                return Self.json(
                    .ok,
                    [
                        "result": ["code": "000.200.000", "description": "transaction pending"], "ndc": id,
                        "buildNumber": "fake-oppwa@local", "timestamp": Self.timestamp(),
                    ])
            }
            let approved = checkout.resultCode == Self.approvedCode.0
            return Self.json(approved ? .ok : self.declineStatus, Self.payment(checkout))
        }
    }

    /// Records the shopper's choice and sends the webhook. False for an unknown or already decided checkout.
    func decide(checkoutID: String, approve: Bool) async -> Bool {
        let decided = checkouts.withLock { all -> Checkout? in
            guard var checkout = all[checkoutID], checkout.resultCode == nil else { return nil }
            checkout.paymentID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            (checkout.resultCode, checkout.resultDescription) = approve ? Self.approvedCode : Self.declinedCode
            all[checkoutID] = checkout
            return checkout
        }
        guard let decided else { return false }
        guard let delivery = try? webhook(for: decided) else { return false }
        await deliver(delivery)
        return true
    }

    /// The encrypted notification for a decided checkout (also used by tests to replay or tamper with it).
    func webhook(for checkout: Checkout, type: String = "PAYMENT") throws -> Delivery {
        let plaintext = try JSONSerialization.data(withJSONObject: ["type": type, "payload": Self.payment(checkout)])
        let sealed = try HyperPayProvider.encrypt(plaintext, key: webhookKey)
        return Delivery(body: sealed.body, iv: sealed.iv, tag: sealed.tag)
    }

    func checkout(_ id: String) -> Checkout? { checkouts.withLock { $0[id] } }

    static func payment(_ checkout: Checkout) -> [String: Any] {
        [
            "id": checkout.paymentID ?? "", "paymentType": "DB", "paymentBrand": "VISA", "amount": checkout.amount,
            "currency": checkout.currency, "descriptor": "0000.0000.0000 AI Studio",
            "merchantTransactionId": checkout.merchantTransactionID,
            "result": ["code": checkout.resultCode ?? "", "description": checkout.resultDescription ?? ""],
            "card": [
                "bin": "411111", "last4Digits": "1111", "holder": "Test", "expiryMonth": "12", "expiryYear": "2030",
            ],
            "buildNumber": "fake-oppwa@local", "timestamp": timestamp(), "ndc": checkout.id,
        ]
    }

    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ssZ"
        return formatter.string(from: Date())
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json;charset=UTF-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
