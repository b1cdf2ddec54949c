import Core
import Crypto
import Foundation

/// Which payment providers are on, and where they call back. Each provider is off unless its keys are set;
/// with no HyperPay key, local mode (or `PAYMENTS_FAKE_OPPWA=true` outside production) points HyperPay at the fake
/// OPPWA server the backend mounts itself. Production never mounts it.
struct PaymentSettings: Sendable {
    static let fakePath = "v1/dev/oppwa"

    let defaultProvider: PaymentProviderID
    let hyperpay: HyperPaySettings?
    let paytabs: PayTabsSettings?
    let zaincash: ZainCashSettings?
    /// Set when HyperPay is the local fake: its credentials and webhook key, generated at boot.
    let fake: HyperPaySettings?
    /// The public origin providers post notifications to (`PAYMENTS_CALLBACK_BASE_URL`, else `BASE_URL`).
    let callbackBaseURL: String
    /// New checkouts per user per hour.
    let sessionRule: RateLimiter.Rule

    init(_ source: ConfigSource, environment: AppEnvironment, baseURL: URL, port: Int) throws {
        let raw = source.string("PAYMENTS_PROVIDER", default: "hyperpay")
        guard let provider = PaymentProviderID(rawValue: raw) else {
            throw ConfigError(key: "PAYMENTS_PROVIDER", reason: "must be hyperpay, paytabs or zaincash")
        }
        defaultProvider = provider
        paytabs = try PayTabsSettings(source)
        zaincash = try ZainCashSettings(source)
        let base =
            baseURL.absoluteString.hasSuffix("/") ? String(baseURL.absoluteString.dropLast()) : baseURL.absoluteString
        callbackBaseURL = source.string("PAYMENTS_CALLBACK_BASE_URL", default: base)
        sessionRule = .init(
            limit: try source.int("PAYMENT_SESSIONS_PER_HOUR", default: 10, range: 1...1000), window: .seconds(3600))
        if let configured = try HyperPaySettings(source) {
            hyperpay = configured
            fake = nil
        } else if environment != .prod, try source.bool("PAYMENTS_FAKE_OPPWA", default: environment == .local) {
            let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
            let local = try HyperPaySettings(
                accessToken: "fake-oppwa-" + UUID().uuidString, entityID: "fake-entity-local",
                webhookKeyHex: key.hexString, testMode: true,
                baseURL: "http://127.0.0.1:\(port)/\(Self.fakePath)", widgetBaseURL: "\(base)/\(Self.fakePath)")
            hyperpay = local
            fake = local
        } else {
            hyperpay = nil
            fake = nil
        }
    }

    func providers() -> [PaymentProviderID: any PaymentProvider] {
        var out: [PaymentProviderID: any PaymentProvider] = [:]
        if let hyperpay { out[.hyperpay] = HyperPayProvider(settings: hyperpay) }
        if let paytabs { out[.paytabs] = PayTabsProvider(settings: paytabs) }
        if let zaincash { out[.zaincash] = ZainCashProvider(settings: zaincash) }
        return out
    }
}
