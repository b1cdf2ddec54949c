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

/// The current subscription's plan, period and limits per kind (`tokens`, `images`, `video`), plan plus add-ons.
public struct Allowance: Sendable, Equatable {
    public let plan: Plan
    public let subscriptionStatus: String
    public let periodStart: Date
    public let periodEnd: Date
    public let limits: [String: Int64]
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

    /// What the current subscription allows, without reading what was used: the plan, the period, and
    /// each kind's limit (the plan's plus add-ons credited for the period). Nil without a current plan.
    public func allowance(userID: UUID, now: Date = Date()) async throws -> Allowance? {
        guard let subscription = try await currentSubscription(userID: userID, now: now),
            let plan = try await PlanRepository(client: client, logger: logger).plan(id: subscription.planID)
        else { return nil }
        let start = subscription.periodStart
        let end = subscription.renewsAt
        let rows = try await client.query(
            """
            SELECT kind, sum(amount)::bigint FROM addon_credits
            WHERE user_id = \(userID) AND period_start < \(end) AND period_end > \(start)
            GROUP BY kind
            """, logger: logger)
        var limits = ["tokens": plan.tokenLimit, "images": Int64(plan.imageLimit), "video": Int64(plan.videoLimit)]
        for try await (kind, extra) in rows.decode((String, Int64).self) where limits[kind] != nil {
            limits[kind, default: 0] += extra
        }
        return Allowance(
            plan: plan, subscriptionStatus: subscription.status, periodStart: start, periodEnd: end, limits: limits)
    }

    /// The wallet as `/v1/usage/me` shows it: the allowance and what was used of it this period.
    public func summary(userID: UUID, now: Date = Date(), warnAt: Double = 0.8) async throws -> UsageSummary {
        guard let allowance = try await allowance(userID: userID, now: now) else {
            let none = UsageMeter(used: 0, limit: 0, warnAt: warnAt)
            return UsageSummary(
                plan: nil, subscriptionStatus: nil, period: nil, tokens: none, images: none, videos: none)
        }
        let rows = try await client.query(
            """
            SELECT kind, sum(amount)::bigint FROM usage_logs
            WHERE user_id = \(userID) AND created_at >= \(allowance.periodStart) AND created_at < \(allowance.periodEnd)
            GROUP BY kind
            """, logger: logger)
        var used: [String: Int64] = [:]
        for try await (kind, amount) in rows.decode((String, Int64).self) { used[kind] = amount }
        func meter(_ kind: String) -> UsageMeter {
            UsageMeter(used: used[kind] ?? 0, limit: allowance.limits[kind] ?? 0, warnAt: warnAt)
        }
        return UsageSummary(
            plan: allowance.plan, subscriptionStatus: allowance.subscriptionStatus,
            period: .init(start: allowance.periodStart, end: allowance.periodEnd, resetsAt: allowance.periodEnd),
            tokens: meter("tokens"), images: meter("images"), videos: meter("video"))
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
