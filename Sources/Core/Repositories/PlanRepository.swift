import Foundation
import Logging
import PostgresNIO

/// Reads the plan and add-on catalogue.
public struct PlanRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func activePlans() async throws -> [Plan] {
        let rows = try await client.query(
            """
            SELECT id, name, name_ar, price_fils, token_limit, image_limit, video_limit, features_json::text
            FROM plans WHERE is_active ORDER BY sort_order, id
            """, logger: logger)
        var plans: [Plan] = []
        for try await row in rows.decode((String, String, String, Int, Int64, Int, Int, String).self) {
            plans.append(try Self.plan(row))
        }
        return plans
    }

    public func plan(id: String) async throws -> Plan? {
        let rows = try await client.query(
            """
            SELECT id, name, name_ar, price_fils, token_limit, image_limit, video_limit, features_json::text
            FROM plans WHERE id = \(id)
            """, logger: logger)
        for try await row in rows.decode((String, String, String, Int, Int64, Int, Int, String).self) {
            return try Self.plan(row)
        }
        return nil
    }

    public func activeAddons() async throws -> [Addon] {
        let rows = try await client.query(
            "SELECT id, kind, amount, price_fils, name, name_ar FROM addons WHERE is_active ORDER BY price_fils, id",
            logger: logger)
        var addons: [Addon] = []
        for try await (id, kind, amount, price, name, nameAr) in rows.decode(
            (String, String, Int64, Int, String, String).self)
        {
            guard let usageKind = UsageKind(rawValue: kind) else { continue }
            addons.append(
                Addon(id: id, kind: usageKind, amount: amount, priceFils: price, name: name, nameAr: nameAr))
        }
        return addons
    }

    private static func plan(_ row: (String, String, String, Int, Int64, Int, Int, String)) throws -> Plan {
        let features = try JSONDecoder().decode(PlanFeatures.self, from: Data(row.7.utf8))
        return Plan(
            id: row.0, name: row.1, nameAr: row.2, priceFils: row.3, tokenLimit: row.4, imageLimit: row.5,
            videoLimit: row.6, features: features)
    }
}
