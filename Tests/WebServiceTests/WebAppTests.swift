import AsyncHTTPClient
import Core
import CoreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing

@testable import WebService

struct WebAppTests {
    @Test func landingPageIsArabicAndRightToLeft() async throws {
        let settings = try WebSettings(ConfigSource(["ENV": "test"]))
        let app = try buildApplication(
            settings: settings, httpClient: .studioInternal(), registry: TestMetrics.registry,
            logger: Logger(label: "web-test"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains(#"<html lang="ar" dir="rtl">"#))
                #expect(html.contains("استوديو الذكاء الاصطناعي"))
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func apiPathsGoWhereTheLoadBalancerSendsThem() {
        for path in [
            "/v1/chat/complete", "/v1/models", "/v1/images/generate", "/v1/video/generate", "/v1/conversations",
        ] {
            #expect(APIProxyMiddleware.isGatewayPath(path), "\(path) should go to the gateway")
        }
        for path in ["/v1/plans", "/v1/auth/magic-link", "/v1/chatter", "/v1/usage/me"] {
            #expect(!APIProxyMiddleware.isGatewayPath(path), "\(path) should go to the backend")
        }
    }

    @Test func proxyAnswersAJSON503WhenTheUpstreamIsDown() async throws {
        let dead = try freeLoopbackPort()
        let settings = try WebSettings(
            ConfigSource(["BACKEND_URL": "http://127.0.0.1:\(dead)", "GATEWAY_URL": "http://127.0.0.1:\(dead)"]))
        let app = try buildApplication(
            settings: settings, httpClient: .studioInternal(), registry: TestMetrics.registry,
            logger: Logger(label: "web-test"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/plans", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("service_unavailable"))
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("backend"))
            }
        }
    }

    @Test func upstreamsMustBeSetTogether() {
        let error = #expect(throws: ConfigError.self) {
            try WebSettings(ConfigSource(["BACKEND_URL": "http://127.0.0.1:1"]))
        }
        #expect(error?.key == "GATEWAY_URL")
    }

    @Test func pagesCarryTheSecurityHeadersAndVersionedAssets() async throws {
        let settings = try WebSettings(
            ConfigSource(["ENV": "test", "WEB_ASSET_ORIGINS": "https://assets.example.com"]))
        let app = try buildApplication(
            settings: settings, httpClient: .studioInternal(), registry: TestMetrics.registry,
            logger: Logger(label: "web-test"))
        try await app.test(.router) { client in
            var asset = ""
            try await client.execute(uri: "/app/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-cache")
                let csp = try #require(response.headers[.contentSecurityPolicy])
                #expect(csp.contains("script-src 'self';"))
                #expect(csp.contains("frame-ancestors 'none'"))
                #expect(csp.contains("img-src 'self' data: blob: https://assets.example.com"))
                #expect(!csp.contains("unsafe-inline"))
                #expect(!csp.contains("oppwa"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                let html = String(buffer: response.body)
                let match = try #require(html.firstMatch(of: /href="(\/v\/[0-9a-f]{12}\/styles\/base.css)"/))
                asset = String(match.output.1)
                #expect(!html.contains(#"src="/js/"#))
            }
            try await client.execute(uri: asset, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "public, max-age=31536000, immutable")
                #expect(String(buffer: response.body).contains(":root"))
            }
            // A page from an older deploy still gets its files, but not cached for a year.
            try await client.execute(uri: "/v/000000000000/styles/base.css", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] != "public, max-age=31536000, immutable")
            }
            try await client.execute(uri: "/app/checkout/", method: .get) { response in
                let csp = try #require(response.headers[.contentSecurityPolicy])
                #expect(csp.contains("script-src 'self' https://eu-test.oppwa.com https://eu-prod.oppwa.com"))
                #expect(csp.contains("frame-src https://eu-test.oppwa.com"))
            }
            try await client.execute(uri: "/no/such/page/", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func everyPageUsesOnlyExternalScriptsAndStyles() throws {
        let root = try WebSettings(ConfigSource(["ENV": "test"])).webRoot
        let pages = SitePages.files(under: root).filter { $0.hasSuffix(".html") }
        #expect(pages.count >= 10)
        for page in pages {
            let html = try String(contentsOfFile: root + page, encoding: .utf8)
            #expect(html.firstMatch(of: /<script(?![^>]*\bsrc=)[^>]*>/) == nil, "\(page) has an inline script")
            #expect(html.firstMatch(of: /\son[a-z]+="/) == nil, "\(page) has an inline event handler")
            #expect(html.firstMatch(of: /\sstyle="/) == nil, "\(page) has an inline style")
            #expect(html.contains(#"<html lang="ar" dir="rtl">"#), "\(page) does not start right-to-left in Arabic")
        }
    }

    @Test func badOriginListsAreRefused() {
        let error = #expect(throws: ConfigError.self) {
            try WebSettings(ConfigSource(["WEB_ASSET_ORIGINS": "assets.example.com/path"]))
        }
        #expect(error?.key == "WEB_ASSET_ORIGINS")
    }
}
