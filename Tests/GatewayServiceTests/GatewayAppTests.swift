import Core
import CoreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GatewayService

struct GatewayAppTests {
    @Test func gatewayIsReadyWithPostgresAndRedis() async throws {
        try await GatewayHarness.run { _, client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""service":"gateway""#))
            }
        }
    }

    @Test func aiRoutesNeedASession() async throws {
        try await GatewayHarness.run { _, client in
            try await client.execute(uri: "/v1/chat/complete", method: .post, body: chatBody("hi")) { response in
                #expect(response.status == .unauthorized && errorCode(response) == "unauthenticated")
            }
        }
    }

    @Test func gatewayRefusesAShortJWTSecret() throws {
        let error = #expect(throws: ConfigError.self) {
            try GatewaySettings(
                ConfigSource(["DATABASE_URL": "postgres://u@h/d", "REDIS_URL": "redis://h:6379", "JWT_SECRET": "short"])
            )
        }
        #expect(error?.key == "JWT_SECRET")
    }
}
