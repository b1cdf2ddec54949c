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
    }
}
