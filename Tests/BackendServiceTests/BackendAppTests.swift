import Core
import CoreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing

@testable import BackendService

struct BackendAppTests {
    func withApp(
        extra: [String: String] = [:], _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        try await BackendHarness.run(extra: extra) { _, client in try await body(client) }
    }

    @Test func healthAndReadinessAnswer() async throws {
        try await withApp { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(json(response)["checks"] as? [String: String] == ["postgres": "ok", "redis": "ok"])
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("http_requests_total"))
            }
        }
    }

    @Test func readinessNamesRedisWhenItIsDown() async throws {
        let deadPort = try freeLoopbackPort()
        try await withApp(extra: ["REDIS_URL": "redis://127.0.0.1:\(deadPort)/0"]) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(json(response)["failing"] as? [String] == ["redis"])
            }
        }
    }

    @Test func plansListTheThreePlansAndAddOnsInJOD() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/plans", method: .get) { response in
                #expect(response.status == .ok)
                let body = json(response)
                let plans = body["plans"] as? [[String: Any]] ?? []
                #expect(plans.map { $0["id"] as? String } == ["starter", "pro", "creator"])
                #expect(plans.map { $0["price_jod"] as? String } == ["3.000", "5.000", "7.000"])
                #expect((plans.first?["price_text"] as? [String: String])?["ar"] == "3.000 د.أ")
                #expect(plans.first?["name_ar"] as? String == "المبتدئ")
                #expect((body["addons"] as? [[String: Any]])?.count == 3)
            }
        }
    }

    @Test func unknownRouteIsABilingualJSON404() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
                let error = json(response)["error"] as? [String: String]
                #expect(error?["code"] == "not_found" && error?["message_ar"] != nil)
            }
        }
    }

    @Test func theClientIsTheEntryTheOutermostTrustedProxyAppended() throws {
        let forwarded = "6.6.6.6, 203.0.113.7, 130.176.1.1"  // forged by the client, the viewer, CloudFront's edge
        #expect(BackendRequestContext.clientIP(forwardedFor: forwarded, peer: "10.0.0.5", hops: 1) == "130.176.1.1")
        #expect(BackendRequestContext.clientIP(forwardedFor: forwarded, peer: "10.0.0.5", hops: 2) == "203.0.113.7")
        #expect(BackendRequestContext.clientIP(forwardedFor: "203.0.113.7", peer: "10.0.0.5", hops: 2) == "203.0.113.7")
        #expect(BackendRequestContext.clientIP(forwardedFor: nil, peer: "10.0.0.5", hops: 2) == "10.0.0.5")
        let settings = try AuthSettings(ConfigSource(["TRUSTED_PROXY_HOPS": "2"]), environment: .test)
        #expect(settings.trustedProxyHops == 2)
        #expect(throws: ConfigError.self) {
            try AuthSettings(ConfigSource(["TRUSTED_PROXY_HOPS": "0"]), environment: .test)
        }
    }
}
