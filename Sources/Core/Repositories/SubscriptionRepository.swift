import Foundation
import Logging
import PostgresNIO

/// A subscription as the Account page shows it.
public struct SubscriptionRecord: Sendable, Equatable {
    public let id: UUID
    public let planID: String
    public let status: String
    public let periodStart: Date?
    public let renewsAt: Date?
    public let cancelAtPeriodEnd: Bool
    public let provider: String
}

/// Subscription state changes other than activation (which `PaymentRepository.apply` does):
/// cancel at period end, resume, and the daily renewal sweep.
public struct SubscriptionRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let columns =
        "id, plan_id, status, current_period_start, renews_at, cancel_at_period_end, provider"

    static func first(_ rows: PostgresRowSequence) async throws -> SubscriptionRecord? {
        for try await row in rows.decode((UUID, String, String, Date?, Date?, Bool, String).self) {
            return SubscriptionRecord(
                id: row.0, planID: row.1, status: row.2, periodStart: row.3, renewsAt: row.4,
                cancelAtPeriodEnd: row.5, provider: row.6)
        }
        return nil
    }

    /// The user's current subscription (trialing, active or past due), else the most recent one.
    public func latest(userID: UUID) async throws -> SubscriptionRecord? {
        try await Self.first(
            client.query(
                """
                SELECT \(unescaped: Self.columns) FROM subscriptions WHERE user_id = \(userID)
                ORDER BY (status IN ('trialing', 'active', 'past_due')) DESC, created_at DESC LIMIT 1
                """, logger: logger))
    }

    /// Sets whether the active paid subscription stops at the end of its period. nil if there is none.
    public func setCancelAtPeriodEnd(userID: UUID, _ cancel: Bool) async throws -> SubscriptionRecord? {
        try await Self.first(
            client.query(
                """
                UPDATE subscriptions SET cancel_at_period_end = \(cancel), updated_at = now()
                WHERE user_id = \(userID) AND status = 'active'
                RETURNING \(unescaped: Self.columns)
                """, logger: logger))
    }

    public struct RenewalSweep: Sendable, Equatable {
        public var canceled = 0
        public var pastDue = 0
        public var expired = 0

        public init(canceled: Int = 0, pastDue: Int = 0, expired: Int = 0) {
            self.canceled = canceled
            self.pastDue = pastDue
            self.expired = expired
        }
    }

    /// The daily sweep. Periods that ended: canceled subscriptions end, active ones become `past_due` (the
    /// Account page asks for a new payment; no card is stored), trials and past-due ones older than the grace
    /// period expire. Running it twice changes nothing more.
    public func sweepRenewals(now: Date = Date(), grace: TimeInterval = 7 * 86_400) async throws -> RenewalSweep {
        var sweep = RenewalSweep()
        let graceEnd = now.addingTimeInterval(-grace)
        let rows = try await client.query(
            """
            WITH ended AS (
                UPDATE subscriptions SET updated_at = now(),
                    status = CASE
                        WHEN status = 'active' AND cancel_at_period_end THEN 'canceled'
                        WHEN status = 'active' THEN 'past_due'
                        ELSE 'expired' END
                WHERE (status IN ('active', 'trialing') AND renews_at <= \(now))
                   OR (status = 'past_due' AND renews_at <= \(graceEnd))
                RETURNING status
            )
            SELECT status, count(*)::int FROM ended GROUP BY status
            """, logger: logger)
        for try await (status, count) in rows.decode((String, Int).self) {
            switch status {
            case "canceled": sweep.canceled = count
            case "past_due": sweep.pastDue = count
            default: sweep.expired += count
            }
        }
        return sweep
    }
}

/// An invoice: issued once per paid payment.
public struct InvoiceRecord: Sendable, Equatable {
    public let id: UUID
    public let number: String
    public let userID: UUID
    public let paymentID: UUID
    public let planID: String?
    public let addonID: String?
    public let description: String
    public let descriptionAr: String
    public let amountFils: Int
    public let currency: String
    public let provider: String
    public let providerRef: String?
    public let periodStart: Date?
    public let periodEnd: Date?
    public let issuedAt: Date
    /// The invoice as a Word document (the PDF is made from it by the worker).
    public let fileID: UUID?

    public init(
        id: UUID, number: String, userID: UUID, paymentID: UUID, planID: String?, addonID: String?,
        description: String, descriptionAr: String, amountFils: Int, currency: String, provider: String,
        providerRef: String?, periodStart: Date?, periodEnd: Date?, issuedAt: Date, fileID: UUID?
    ) {
        self.id = id
        self.number = number
        self.userID = userID
        self.paymentID = paymentID
        self.planID = planID
        self.addonID = addonID
        self.description = description
        self.descriptionAr = descriptionAr
        self.amountFils = amountFils
        self.currency = currency
        self.provider = provider
        self.providerRef = providerRef
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.issuedAt = issuedAt
        self.fileID = fileID
    }
}

public struct InvoiceRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let columns = """
        id, number, user_id, payment_id, plan_id, addon_id, description, description_ar, amount_fils, currency,
        provider, provider_ref, period_start, period_end, issued_at, file_id
        """

    static func all(_ rows: PostgresRowSequence) async throws -> [InvoiceRecord] {
        var out: [InvoiceRecord] = []
        for try await row in rows.decode(
            (
                UUID, String, UUID, UUID, String?, String?, String, String, Int, String, String, String?, Date?,
                Date?, Date, UUID?
            ).self)
        {
            out.append(
                InvoiceRecord(
                    id: row.0, number: row.1, userID: row.2, paymentID: row.3, planID: row.4, addonID: row.5,
                    description: row.6, descriptionAr: row.7, amountFils: row.8, currency: row.9, provider: row.10,
                    providerRef: row.11, periodStart: row.12, periodEnd: row.13, issuedAt: row.14, fileID: row.15))
        }
        return out
    }

    public func list(userID: UUID) async throws -> [InvoiceRecord] {
        try await Self.all(
            client.query(
                """
                SELECT \(unescaped: Self.columns) FROM invoices WHERE user_id = \(userID)
                ORDER BY issued_at DESC LIMIT 200
                """, logger: logger))
    }

    public func find(id: UUID, userID: UUID) async throws -> InvoiceRecord? {
        try await Self.all(
            client.query(
                "SELECT \(unescaped: Self.columns) FROM invoices WHERE id = \(id) AND user_id = \(userID)",
                logger: logger)
        ).first
    }

    /// Records the invoice's document once; returns the one recorded (ours, or one stored first by another request).
    public func attachDocument(invoiceID: UUID, fileID: UUID) async throws -> UUID? {
        let rows = try await client.query(
            """
            UPDATE invoices SET file_id = COALESCE(file_id, \(fileID)) WHERE id = \(invoiceID) RETURNING file_id
            """, logger: logger)
        for try await id in rows.decode(UUID?.self) { return id }
        return nil
    }
}
