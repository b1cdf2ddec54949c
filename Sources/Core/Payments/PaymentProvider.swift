import Foundation

/// The payment providers the studio can take money through.
public enum PaymentProviderID: String, Sendable, Codable, CaseIterable {
    case hyperpay, paytabs, zaincash
}

/// What a provider needs to open a checkout for one `payments` row.
public struct CheckoutRequest: Sendable {
    public let paymentID: UUID
    public let amountFils: Int
    public let currency: String
    public let description: String
    public let customerEmail: String
    public let locale: String
    /// Where the shopper's browser lands after paying (our return page).
    public let returnURL: String
    /// Where the provider posts its server-to-server notification.
    public let callbackURL: String

    public init(
        paymentID: UUID, amountFils: Int, currency: String = "JOD", description: String, customerEmail: String,
        locale: String, returnURL: String, callbackURL: String
    ) {
        self.paymentID = paymentID
        self.amountFils = amountFils
        self.currency = currency
        self.description = description
        self.customerEmail = customerEmail
        self.locale = locale
        self.returnURL = returnURL
        self.callbackURL = callbackURL
    }

    /// Our reference for the payment, as providers carry it (`merchantTransactionId`, `cart_id`, `orderId`).
    public var reference: String { paymentID.uuidString.lowercased() }
}

/// An opened checkout: the provider's id for it and how the shopper pays.
public struct CheckoutSession: Sendable, Codable, Equatable {
    /// The provider's id (HyperPay checkout id, PayTabs `tran_ref`, ZainCash transaction id).
    public let externalID: String
    /// A hosted page to send the browser to (PayTabs, ZainCash); nil when the payment form is a widget on our page.
    public let hostedPageURL: String?
    /// HyperPay's COPYandPAY widget: the script our checkout page loads, with its SRI hash.
    public let widgetScriptURL: String?
    public let widgetIntegrity: String?
    public let widgetBrands: String?

    public init(
        externalID: String, hostedPageURL: String? = nil, widgetScriptURL: String? = nil,
        widgetIntegrity: String? = nil, widgetBrands: String? = nil
    ) {
        self.externalID = externalID
        self.hostedPageURL = hostedPageURL
        self.widgetScriptURL = widgetScriptURL
        self.widgetIntegrity = widgetIntegrity
        self.widgetBrands = widgetBrands
    }

    enum CodingKeys: String, CodingKey {
        case externalID = "external_id"
        case hostedPageURL = "hosted_page_url"
        case widgetScriptURL = "widget_script_url"
        case widgetIntegrity = "widget_integrity"
        case widgetBrands = "widget_brands"
    }
}

/// How a provider's result reads for us.
public enum PaymentOutcome: String, Sendable, Codable {
    /// Money taken: activate what was bought.
    case succeeded
    /// Not final yet (3-D Secure, manual review, bank pending): change nothing.
    case pending
    /// Declined, expired, or an error: the payment failed and nothing is activated.
    case failed
}

/// One verified notification (or status answer) from a provider, in one shape for every provider.
public struct PaymentNotification: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// A payment result.
        case payment
        /// The provider's "test the webhook" ping: acknowledged, applied to nothing.
        case test
        /// Something we do not act on (registrations, risk notices, schedules).
        case other
    }

    public let provider: PaymentProviderID
    public let kind: Kind
    /// Our payment id as the provider echoes it (`merchantTransactionId`, `cart_id`, `orderid`).
    public let merchantReference: String?
    /// The provider's checkout / transaction reference the `payments` row stores as `external_id`.
    public let externalID: String?
    /// The provider's id of the payment itself (HyperPay payment id), for the invoice.
    public let transactionID: String?
    /// Amount exactly as the provider wrote it (a decimal string); nil when the provider does not send one.
    public let amount: String?
    public let currency: String?
    public let resultCode: String
    public let resultDescription: String
    public let outcome: PaymentOutcome

    public init(
        provider: PaymentProviderID, kind: Kind, merchantReference: String?, externalID: String?,
        transactionID: String?, amount: String?, currency: String?, resultCode: String, resultDescription: String,
        outcome: PaymentOutcome
    ) {
        self.provider = provider
        self.kind = kind
        self.merchantReference = merchantReference
        self.externalID = externalID
        self.transactionID = transactionID
        self.amount = amount
        self.currency = currency
        self.resultCode = resultCode
        self.resultDescription = resultDescription
        self.outcome = outcome
    }

    enum CodingKeys: String, CodingKey {
        case provider, kind, amount, currency, outcome
        case merchantReference = "merchant_reference"
        case externalID = "external_id"
        case transactionID = "transaction_id"
        case resultCode = "result_code"
        case resultDescription = "result_description"
    }

    /// The amount in fils, if the provider's decimal string is an exact number of fils.
    public var amountFils: Int? { amount.flatMap(Money.fils(fromDecimal:)) }
}

/// Why a notification was not accepted. The webhook still answers 2xx (providers retry anything else);
/// the reason is stored with the raw event and logged.
public struct PaymentVerificationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A provider answered a request with an error we can name.
public struct PaymentProviderError: Error, Sendable, CustomStringConvertible {
    public let provider: PaymentProviderID
    public let code: String
    public let detail: String
    public init(provider: PaymentProviderID, code: String, detail: String) {
        self.provider = provider
        self.code = code
        self.detail = detail
    }
    public var description: String { "\(provider.rawValue) \(code): \(detail)" }
}

/// One interface for every provider: open a checkout, verify a notification, ask for the status.
public protocol PaymentProvider: Sendable {
    var id: PaymentProviderID { get }
    func createCheckout(_ request: CheckoutRequest) async throws -> CheckoutSession
    /// Verifies and parses a notification. `headers` has lowercased names; `query` is the URL's query items.
    func verifyNotification(headers: [String: String], query: [String: String], body: Data) throws
        -> PaymentNotification
    /// Asks the provider for the payment's state (for a return page that comes back before the notification).
    func fetchStatus(externalID: String) async throws -> PaymentNotification
}

extension Money {
    /// The amount as providers that take two decimals expect it (`"3.00"`), or three when fils demand it.
    public static func decimal(_ fils: Int) -> String {
        let three = jod(fils: fils)
        return fils % 10 == 0 ? String(three.dropLast()) : three
    }

    /// `"3.00"`, `"3.000"`, `"3"` → 3000; nil for anything that is not an exact, non-negative number of fils.
    public static func fils(fromDecimal text: String) -> Int? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.count <= 9,
            whole.allSatisfy({ $0.isASCII && $0.isNumber }), let units = Int(whole)
        else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.allSatisfy({ $0.isASCII && $0.isNumber }), parts.count == 1 || !fraction.isEmpty else {
            return nil
        }
        while fraction.count > 3, fraction.hasSuffix("0") { fraction.removeLast() }
        guard fraction.count <= 3 else { return nil }
        fraction += String(repeating: "0", count: 3 - fraction.count)
        guard let fils = Int(fraction) else { return nil }
        return units * 1000 + fils
    }
}

/// Form encoding as the providers' servers read it (`application/x-www-form-urlencoded`).
public enum FormEncoding {
    static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._*".utf8)

    /// Percent-encodes like PHP's `urlencode`/`http_build_query` (space → `+`, uppercase hex).
    public static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.append(Character(Unicode.Scalar(byte)))
            } else if byte == 0x20 {
                out.append("+")
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    public static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    public static func decode(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func unescape(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            out[unescape(parts[0])] = parts.count > 1 ? unescape(parts[1]) : ""
        }
        return out
    }
}

extension Data {
    /// Bytes from a hex string (either case); nil if it is not hex.
    public init?(hexString: String) {
        let chars = Array(hexString.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(chars.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 65...70: c - 55
            case 97...102: c - 87
            default: nil
            }
        }
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes)
    }
}
