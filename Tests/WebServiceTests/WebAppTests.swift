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
        let app = buildApplication(
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
        let app = buildApplication(
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
}
