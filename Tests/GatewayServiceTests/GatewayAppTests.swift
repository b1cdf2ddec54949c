import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
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

    @Test func aSessionIsServedFromTheCacheUntilPostgreSQLAnnouncesAChange() async throws {
        try await GatewayHarness.run { harness, client in
            // The change listener is connected and has confirmed (its last query is the heartbeat).
            #expect(
                try await eventually(timeout: .seconds(5)) {
                    let rows = try await harness.postgres.query(
                        """
                        SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database()
                        AND application_name = \(UserChangeListener.applicationName) AND query = 'SELECT 1'
                        """, logger: Logger(label: "t")
                    ).collect()
                    return try rows.first?.decode(Int.self) == 1
                })
            try await Task.sleep(for: .milliseconds(50))
            let session = try await SignedInProbe(harness: harness, client: client)
            #expect(try await session.status() == 200)
            // A change PostgreSQL does not announce is not seen: the session comes from the cache.
            try await session.signOutUnannounced()
            #expect(try await session.status() == 200)
            // Announced, it takes effect at once.
            try await harness.postgres.query(
                "ALTER TABLE users ENABLE TRIGGER users_changed", logger: Logger(label: "t"))
            try await harness.postgres.query(
                "UPDATE users SET updated_at = now() WHERE id = \(session.userID)", logger: Logger(label: "t"))
            #expect(try await eventually(timeout: .seconds(2)) { try await session.status() == 401 })
        }
    }

    @Test func withTheCacheOffEverySessionIsCheckedInPostgreSQL() async throws {
        try await GatewayHarness.run(extra: ["SESSION_CACHE_SECONDS": "0"]) { harness, client in
            let session = try await SignedInProbe(harness: harness, client: client)
            #expect(try await session.status() == 200)
            try await session.signOutUnannounced()
            #expect(try await session.status() == 401)
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

/// A signed-in user and a cheap signed-in request, for the session cache tests.
struct SignedInProbe {
    let harness: GatewayHarness
    let client: any TestClientProtocol
    let userID: UUID
    let headers: HTTPFields

    init(harness: GatewayHarness, client: any TestClientProtocol) async throws {
        self.harness = harness
        self.client = client
        (userID, headers) = try await harness.user()
    }

    func status() async throws -> Int {
        try await client.execute(uri: "/v1/conversations", method: .get, headers: headers) { $0.status.code }
    }

    /// Signs the user out everywhere with the change notification switched off.
    func signOutUnannounced() async throws {
        let logger = Logger(label: "t")
        try await harness.postgres.query("ALTER TABLE users DISABLE TRIGGER users_changed", logger: logger)
        try await harness.postgres.query(
            "UPDATE users SET token_version = token_version + 1 WHERE id = \(userID)", logger: logger)
    }
}
