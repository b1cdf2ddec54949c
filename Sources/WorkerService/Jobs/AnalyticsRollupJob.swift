import Core
import Foundation
import Logging
import PostgresNIO

/// `analytics_rollup` (from the scheduler): per day (Amman time), plan and model — users, requests and amount
/// of each kind — from `usage_logs`, the plan being the subscription current when the use happened. Recomputes
/// the days it covers (today and the day before), so running it again gives the same rows.
struct AnalyticsRollupJob: JobHandler {
    let kind = JobKind.analyticsRollup
    let postgres: PostgresClient

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let rows = try await rollup(days: 2, now: Date(), logger: logger)
        logger.info("analytics rolled up", metadata: ["rows": "\(rows)"])
    }

    /// Rolls up the last `days` days ending today; returns how many rows it wrote.
    @discardableResult
    func rollup(days: Int, now: Date, logger: Logger) async throws -> Int {
        let result: Int = try await postgres.withTransaction(logger: logger) { connection in
            let first = try await connection.query(
                """
                SELECT ((\(now) AT TIME ZONE 'Asia/Amman')::date - \(days - 1)::integer)::text
                """, logger: logger)
            var firstDay = ""
            for try await day in first.decode(String.self) { firstDay = day }
            try await connection.query(
                "DELETE FROM analytics_daily WHERE day >= \(firstDay)::date", logger: logger)
            let written = try await connection.query(
                """
                INSERT INTO analytics_daily (day, plan_id, model, kind, users, requests, amount)
                SELECT (u.created_at AT TIME ZONE 'Asia/Amman')::date, COALESCE(s.plan_id, 'none'),
                       COALESCE(u.model, 'unknown'), u.kind, count(DISTINCT u.user_id), count(*), sum(u.amount)
                FROM usage_logs u
                LEFT JOIN LATERAL (
                    SELECT plan_id FROM subscriptions
                    WHERE user_id = u.user_id AND current_period_start <= u.created_at AND renews_at > u.created_at
                    ORDER BY created_at DESC LIMIT 1
                ) s ON true
                WHERE (u.created_at AT TIME ZONE 'Asia/Amman')::date >= \(firstDay)::date
                  AND (u.created_at AT TIME ZONE 'Asia/Amman')::date <= (\(now) AT TIME ZONE 'Asia/Amman')::date
                GROUP BY 1, 2, 3, 4
                RETURNING 1
                """, logger: logger)
            var count = 0
            for try await _ in written.decode(Int.self) { count += 1 }
            return count
        }
        return result
    }
}
