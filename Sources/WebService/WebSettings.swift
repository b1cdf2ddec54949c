import Core
import Foundation

/// Everything the web front reads from its environment.
struct WebSettings: Sendable {
    let common: CommonSettings
    /// Where `/v1/*` goes in local mode; on AWS the load balancer routes by path and these are unset.
    let backendURL: URL?
    let gatewayURL: URL?
    /// The static site; defaults to the copy bundled with the executable.
    let webRoot: String
    /// Origins of signed download links (S3 or CloudFront) that pages may show and read.
    let assetOrigins: [String]
    /// The payment widget's hosts, admitted by the checkout page's Content-Security-Policy.
    let paymentOrigins: [String]

    init(_ source: ConfigSource) throws {
        common = try CommonSettings(source, defaultPort: 8080)
        backendURL = source["BACKEND_URL"] == nil ? nil : try source.url("BACKEND_URL")
        gatewayURL = source["GATEWAY_URL"] == nil ? nil : try source.url("GATEWAY_URL")
        if (backendURL == nil) != (gatewayURL == nil) {
            throw ConfigError(
                key: backendURL == nil ? "BACKEND_URL" : "GATEWAY_URL",
                reason: "must be set together with the other upstream")
        }
        let root = source["WEB_ROOT"] ?? Bundle.module.url(forResource: "Public", withExtension: nil)?.path
        guard let root, FileManager.default.fileExists(atPath: root + "/index.html") else {
            throw ConfigError(key: "WEB_ROOT", reason: "must name a folder that holds index.html")
        }
        webRoot = root
        assetOrigins = try Self.origins(source, "WEB_ASSET_ORIGINS", default: "")
        paymentOrigins = try Self.origins(
            source, "WEB_PAYMENT_ORIGINS", default: "https://eu-test.oppwa.com https://eu-prod.oppwa.com")
    }

    /// A space- or comma-separated list of `https://host[:port]` origins.
    static func origins(_ source: ConfigSource, _ key: String, default fallback: String) throws -> [String] {
        let items = source.string(key, default: fallback).split { $0 == " " || $0 == "," }.map(String.init)
        for item in items {
            guard let url = URL(string: item), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
                url.path.isEmpty || url.path == "/", url.query == nil
            else { throw ConfigError(key: key, reason: "must list origins such as https://assets.example.com") }
        }
        return items.map { $0.trimmingSuffix("/") }
    }
}
