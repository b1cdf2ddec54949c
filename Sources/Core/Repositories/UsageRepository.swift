import Foundation
import Logging
import PostgresNIO

/// A user's current subscription: plan and period.
public struct CurrentSubscription: Sendable, Equatable {
    public let id: UUID
    public let planID: String
    public let status: String
    public let periodStart: Date
    public let renewsAt: Date
}

/// Reads the wallet: the current subscription's period, its limits plus add-ons, and usage so far.
public struct UsageRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The subscription that is current at `now` (trialing, active or past due, period not over).
    public func currentSubscription(userID: UUID, now: Date = Date()) async throws -> CurrentSubscription? {
        let rows = try await client.query(
            """
            SELECT id, plan_id, status, current_period_start, renews_at FROM subscriptions
            WHERE user_id = \(userID) AND status IN ('trialing', 'active', 'past_due')
              AND current_period_start <= \(now) AND renews_at > \(now)
            ORDER BY created_at DESC LIMIT 1
            """, logger: logger)
        for try await (id, plan, status, start, renews) in rows.decode((UUID, String, String, Date, Date).self) {
            return CurrentSubscription(id: id, planID: plan, status: status, periodStart: start, renewsAt: renews)
        }
        return nil
    }

    public func summary(userID: UUID, now: Date = Date(), warnAt: Double = 0.8) async throws -> UsageSummary {
        guard let subscription = try await currentSubscription(userID: userID, now: now),
            let plan = try await PlanRepository(client: client, logger: logger).plan(id: subscription.planID)
        else {
            let none = UsageMeter(used: 0, limit: 0, warnAt: warnAt)
            return UsageSummary(
                plan: nil, subscriptionStatus: nil, period: nil, tokens: none, images: none, videos: none)
        }
        let start = subscription.periodStart
        let end = subscription.renewsAt
        let rows = try await client.query(
            """
            SELECT k.kind,
                   COALESCE((SELECT sum(amount) FROM usage_logs u
                             WHERE u.user_id = \(userID) AND u.kind = k.kind
                               AND u.created_at >= \(start) AND u.created_at < \(end)), 0)::bigint,
                   COALESCE((SELECT sum(amount) FROM addon_credits a
                             WHERE a.user_id = \(userID) AND a.kind = k.kind
                               AND a.period_start < \(end) AND a.period_end > \(start)), 0)::bigint
            FROM (VALUES ('tokens'), ('images'), ('video')) AS k(kind)
            """, logger: logger)
        var used: [String: Int64] = [:]
        var extra: [String: Int64] = [:]
        for try await (kind, usedAmount, addonAmount) in rows.decode((String, Int64, Int64).self) {
            used[kind] = usedAmount
            extra[kind] = addonAmount
        }
        func meter(_ kind: String, _ base: Int64) -> UsageMeter {
            UsageMeter(used: used[kind] ?? 0, limit: base + (extra[kind] ?? 0), warnAt: warnAt)
        }
        return UsageSummary(
            plan: plan, subscriptionStatus: subscription.status,
            period: .init(start: start, end: end, resetsAt: end),
            tokens: meter("tokens", plan.tokenLimit), images: meter("images", Int64(plan.imageLimit)),
            videos: meter("video", Int64(plan.videoLimit)))
    }

    /// Starts a trial of `planID` for `days` (a subscription in status `trialing`).
    public func startTrial(userID: UUID, planID: String, days: Int, now: Date = Date()) async throws {
        let end = now.addingTimeInterval(Double(days) * 86_400)
        try await client.query(
            """
            INSERT INTO subscriptions (user_id, plan_id, status, current_period_start, renews_at, provider, external_ref)
            VALUES (\(userID), \(planID), 'trialing', \(now), \(end), 'manual', 'signup_trial')
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }
}
