import Core
import CoreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import BackendService

struct UsageTests {
    @Test func usageCountsThisPeriodAgainstPlanPlusAddOns() async throws {
        try await BackendHarness.run { harness, client in
            let session = try await harness.signIn("meter@example.jo", client: client)
            let logger = Logger(label: "t")
            let db = harness.postgres
            let user = try #require(UUID(uuidString: session.userID))
            let start = Date().addingTimeInterval(-10 * 86_400)
            let end = Date().addingTimeInterval(20 * 86_400)
            try await db.query(
                """
                INSERT INTO subscriptions (user_id, plan_id, status, current_period_start, renews_at, provider)
                VALUES (\(user), 'starter', 'active', \(start), \(end), 'hyperpay')
                """, logger: logger)
            try await db.query(
                """
                INSERT INTO usage_logs (user_id, kind, amount, model, created_at) VALUES
                  (\(user), 'tokens', 100000, 'gpt-4o', now()),
                  (\(user), 'tokens', 30000, 'claude', now()),
                  (\(user), 'tokens', 99999, 'gpt-4o', \(start.addingTimeInterval(-86_400))),
                  (\(user), 'images', 10, 'nano-banana', now()),
                  (\(user), 'video', 1, 'veo3', now())
                """, logger: logger)
            try await db.query(
                """
                INSERT INTO addon_credits (user_id, addon_id, kind, amount, period_start, period_end)
                VALUES (\(user), 'images_10', 'images', 10, \(start), \(end))
                """, logger: logger)

            try await client.execute(uri: "/v1/usage/me", method: .get, headers: session.headers) { response in
                #expect(response.status == .ok)
                let usage = json(response)
                let tokens = try #require(usage["tokens"] as? [String: Any])
                let images = try #require(usage["images"] as? [String: Any])
                let videos = try #require(usage["videos"] as? [String: Any])
                #expect(tokens["used"] as? Int == 130_000 && tokens["limit"] as? Int == 150_000)
                #expect(tokens["percent"] as? Int == 86 && tokens["warn"] as? Bool == true)
                #expect(tokens["blocked"] as? Bool == false)
                #expect(
                    images["used"] as? Int == 10 && images["limit"] as? Int == 20 && images["percent"] as? Int == 50)
                #expect(videos["used"] as? Int == 1 && videos["limit"] as? Int == 2 && videos["warn"] as? Bool == false)
                #expect(usage["warn"] as? Bool == true && usage["blocked"] as? Bool == false)
                #expect((usage["period"] as? [String: Any])?["resets_at"] != nil)
            }
        }
    }

    @Test func withoutASubscriptionEverythingIsBlocked() async throws {
        try await BackendHarness.run { harness, client in
            let session = try await harness.signIn("free@example.jo", client: client)
            try await client.execute(uri: "/v1/usage/me", method: .get, headers: session.headers) { response in
                let usage = json(response)
                #expect(usage["plan"] is NSNull)
                #expect(usage["blocked"] as? Bool == true)
            }
            try await client.execute(uri: "/v1/usage/me", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func meterThresholds() {
        #expect(UsageMeter(used: 79, limit: 100).warn == false)
        #expect(UsageMeter(used: 80, limit: 100).warn == true)
        #expect(UsageMeter(used: 99, limit: 100).blocked == false)
        #expect(UsageMeter(used: 100, limit: 100).blocked == true)
        #expect(UsageMeter(used: 0, limit: 0).blocked == true)
    }
}
