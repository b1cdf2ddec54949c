import Foundation
import Logging
import PostgresNIO

/// One row of `payments`, as the return page and the ledger read it.
public struct PaymentRecord: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case pending, paid, failed, canceled, refunded }
    public let id: UUID
    public let userID: UUID
    public let planID: String?
    public let addonID: String?
    public let amountFils: Int
    public let currency: String
    public let provider: PaymentProviderID
    public let status: Status
    public let externalID: String?
    public let transactionID: String?
    public let failureReason: String?
    public let createdAt: Date
    public let paidAt: Date?
    /// The checkout the provider opened (widget script, hosted page), kept in `meta_json.checkout`.
    public let checkout: CheckoutSession?
}

/// What applying one stored notification did.
public enum PaymentApplyResult: Sendable, Equatable {
    /// A paid plan started (or an add-on was credited) and an invoice was issued.
    case activated(paymentID: UUID)
    /// The provider said no: the payment is failed, nothing is active.
    case declined(paymentID: UUID)
    /// Acknowledged without effect (a test ping, a pending result, a payment already settled).
    case ignored(reason: String)
    /// Refused: it does not match what we asked for; nothing changed. Logged at error level.
    case rejected(reason: String)
    /// Already processed earlier (the job ran twice).
    case alreadyProcessed
    case missing
}

/// Payments, the inbox of provider notifications, and applying a notification exactly once.
public struct PaymentRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let columns = """
        id, user_id, plan_id, addon_id, amount_fils, currency, provider, status, external_id, transaction_id,
        failure_reason, created_at, paid_at, (meta_json -> 'checkout')::text
        """

    typealias Row = (
        UUID, UUID, String?, String?, Int, String, String, String, String?, String?, String?, Date, Date?, String?
    )

    static func record(_ row: Row) -> PaymentRecord {
        PaymentRecord(
            id: row.0, userID: row.1, planID: row.2, addonID: row.3, amountFils: row.4, currency: row.5,
            provider: PaymentProviderID(rawValue: row.6) ?? .hyperpay, status: .init(rawValue: row.7) ?? .failed,
            externalID: row.8, transactionID: row.9, failureReason: row.10, createdAt: row.11, paidAt: row.12,
            checkout: row.13.flatMap { try? JSONDecoder().decode(CheckoutSession.self, from: Data($0.utf8)) })
    }

    static func first(_ rows: PostgresRowSequence) async throws -> PaymentRecord? {
        for try await row in rows.decode(Row.self) { return record(row) }
        return nil
    }

    public func createPending(
        userID: UUID, planID: String?, addonID: String?, amountFils: Int, provider: PaymentProviderID
    ) async throws -> PaymentRecord {
        let rows = try await client.query(
            """
            INSERT INTO payments (user_id, plan_id, addon_id, amount_fils, provider)
            VALUES (\(userID), \(planID), \(addonID), \(amountFils), \(provider.rawValue))
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let record = try await Self.first(rows) else { throw AppError.internalError }
        return record
    }

    /// Stores the provider's checkout on a pending payment.
    public func attachCheckout(id: UUID, session: CheckoutSession) async throws {
        let json = String(decoding: try JSONEncoder().encode(session), as: UTF8.self)
        try await client.query(
            """
            UPDATE payments SET external_id = \(session.externalID),
                meta_json = meta_json || jsonb_build_object('checkout', \(json)::jsonb), updated_at = now()
            WHERE id = \(id) AND status = 'pending'
            """, logger: logger)
    }

    /// A pending payment that could not even be opened at the provider.
    public func markFailed(id: UUID, reason: String) async throws {
        try await client.query(
            """
            UPDATE payments SET status = 'failed', failure_reason = \(reason), updated_at = now()
            WHERE id = \(id) AND status = 'pending'
            """, logger: logger)
    }

    /// The payment if `userID` owns it.
    public func find(id: UUID, userID: UUID) async throws -> PaymentRecord? {
        try await Self.first(
            client.query(
                "SELECT \(unescaped: Self.columns) FROM payments WHERE id = \(id) AND user_id = \(userID)",
                logger: logger))
    }

    public func find(id: UUID) async throws -> PaymentRecord? {
        try await Self.first(
            client.query("SELECT \(unescaped: Self.columns) FROM payments WHERE id = \(id)", logger: logger))
    }

    // MARK: Inbox

    public struct StoredEvent: Sendable, Equatable {
        public let id: UUID
        public let status: String
        /// False when the same delivery was stored before (a provider retry).
        public let isNew: Bool
    }

    /// Stores a notification before the webhook answers. `notification` is nil when verification failed;
    /// then the event is stored as rejected with `reason`, and no job is needed.
    public func storeEvent(
        provider: PaymentProviderID, source: String = "webhook", dedupeKey: String, headers: [String: String],
        rawBody: Data, notification: PaymentNotification?, reason: String?
    ) async throws -> StoredEvent {
        let status: String
        if notification == nil {
            status = "rejected"
        } else if notification?.kind != .payment {
            status = "ignored"
        } else {
            status = "received"
        }
        let headersJSON = String(decoding: try JSONSerialization.data(withJSONObject: headers), as: UTF8.self)
        let notificationJSON = try notification.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let processed: Date? = status == "received" ? nil : Date()
        let ignoredReason = status == "ignored" ? "not_a_payment:\(notification?.kind.rawValue ?? "")" : reason
        let rows = try await client.query(
            """
            INSERT INTO payment_events
                (provider, source, dedupe_key, status, reason, headers_json, raw_body, notification_json, processed_at)
            VALUES (\(provider.rawValue), \(source), \(dedupeKey), \(status), \(ignoredReason),
                    \(headersJSON)::jsonb, \(ByteBuffer(bytes: rawBody)), \(notificationJSON)::jsonb, \(processed))
            ON CONFLICT (provider, dedupe_key) DO NOTHING
            RETURNING id, status
            """, logger: logger)
        for try await (id, stored) in rows.decode((UUID, String).self) {
            return StoredEvent(id: id, status: stored, isNew: true)
        }
        let existing = try await client.query(
            """
            SELECT id, status FROM payment_events
            WHERE provider = \(provider.rawValue) AND dedupe_key = \(dedupeKey)
            """, logger: logger)
        for try await (id, stored) in existing.decode((UUID, String).self) {
            return StoredEvent(id: id, status: stored, isNew: false)
        }
        throw AppError.internalError
    }

    /// Events still waiting for the worker (for a sweeper after a lost enqueue).
    public func unprocessedEvents(olderThan age: TimeInterval, now: Date = Date()) async throws -> [UUID] {
        let cutoff = now.addingTimeInterval(-age)
        let rows = try await client.query(
            "SELECT id FROM payment_events WHERE status = 'received' AND received_at < \(cutoff) ORDER BY received_at LIMIT 100",
            logger: logger)
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    // MARK: Applying

    /// Applies one stored notification in one transaction, exactly once: the event row and the payment row are
    /// locked, a payment leaves `pending` only once, and every effect (subscription, add-on credit, invoice) is
    /// keyed by the payment.
    public func apply(eventID: UUID) async throws -> PaymentApplyResult {
        let result: PaymentApplyResult = try await client.withTransaction(logger: logger) { connection in
            try await Self.apply(eventID: eventID, on: connection, logger: logger)
        }
        switch result {
        case .rejected(let reason):
            logger.error(
                "payment notification rejected",
                metadata: ["event_id": "\(eventID)", "reason": "\(reason)"])
        case .activated(let id):
            logger.info(
                "payment applied",
                metadata: [
                    "event_id": "\(eventID.uuidString.lowercased())", "payment_id": "\(id.uuidString.lowercased())",
                ])
        case .declined(let id):
            logger.info(
                "payment declined",
                metadata: [
                    "event_id": "\(eventID.uuidString.lowercased())", "payment_id": "\(id.uuidString.lowercased())",
                ])
        default:
            break
        }
        return result
    }

    static func finish(
        _ eventID: UUID, status: String, reason: String?, paymentID: UUID?, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.query(
            """
            UPDATE payment_events SET status = \(status), reason = \(reason), payment_id = \(paymentID),
                processed_at = now()
            WHERE id = \(eventID)
            """, logger: logger)
    }

    static func apply(eventID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> PaymentApplyResult
    {
        let events = try await connection.query(
            "SELECT status, notification_json::text FROM payment_events WHERE id = \(eventID) FOR UPDATE",
            logger: logger)
        var found: (String, String?)?
        for try await row in events.decode((String, String?).self) { found = row }
        guard let (eventStatus, json) = found else { return .missing }
        guard eventStatus == "received" else { return .alreadyProcessed }
        guard let json, let notification = try? JSONDecoder().decode(PaymentNotification.self, from: Data(json.utf8))
        else {
            try await finish(
                eventID, status: "rejected", reason: "unreadable", paymentID: nil, on: connection, logger: logger)
            return .rejected(reason: "unreadable")
        }
        guard notification.kind == .payment else {
            try await finish(
                eventID, status: "ignored", reason: "not_a_payment", paymentID: nil, on: connection, logger: logger)
            return .ignored(reason: "not_a_payment")
        }

        // Our reference first (we set it when opening the checkout); the provider's id as a fallback.
        var payment: PaymentRecord?
        if let reference = notification.merchantReference.flatMap(UUID.init(uuidString:)) {
            payment = try await first(
                connection.query(
                    """
                    SELECT \(unescaped: columns) FROM payments
                    WHERE id = \(reference) AND provider = \(notification.provider.rawValue) FOR UPDATE
                    """, logger: logger))
        }
        if payment == nil, let external = notification.externalID {
            payment = try await first(
                connection.query(
                    """
                    SELECT \(unescaped: columns) FROM payments
                    WHERE provider = \(notification.provider.rawValue) AND external_id = \(external) FOR UPDATE
                    """, logger: logger))
        }
        guard let payment else {
            try await finish(
                eventID, status: "rejected", reason: "unknown_payment", paymentID: nil, on: connection, logger: logger)
            return .rejected(reason: "unknown_payment")
        }
        guard payment.status == .pending else {
            let reason = "already_\(payment.status.rawValue)"
            try await finish(
                eventID, status: "ignored", reason: reason, paymentID: payment.id, on: connection, logger: logger)
            return .ignored(reason: reason)
        }
        if notification.outcome == .pending {
            try await finish(
                eventID, status: "ignored", reason: "pending:\(notification.resultCode)", paymentID: payment.id,
                on: connection, logger: logger)
            return .ignored(reason: "pending")
        }
        // A result for an amount or currency other than the one we asked for activates nothing.
        if notification.amount != nil || notification.currency != nil {
            let currency = (notification.currency ?? "").uppercased()
            guard notification.amountFils == payment.amountFils, currency == payment.currency else {
                let reason =
                    "amount_mismatch: got \(notification.amount ?? "-") \(currency), expected \(Money.jod(fils: payment.amountFils)) \(payment.currency)"
                try await finish(
                    eventID, status: "rejected", reason: reason, paymentID: payment.id, on: connection, logger: logger)
                return .rejected(reason: reason)
            }
        } else if notification.provider != .zaincash {
            try await finish(
                eventID, status: "rejected", reason: "amount_missing", paymentID: payment.id, on: connection,
                logger: logger)
            return .rejected(reason: "amount_missing")
        }

        if notification.outcome == .failed {
            let reason = "\(notification.resultCode) \(notification.resultDescription)".trimmingCharacters(
                in: .whitespaces)
            try await connection.query(
                """
                UPDATE payments SET status = 'failed', failure_reason = \(reason),
                    transaction_id = COALESCE(\(notification.transactionID), transaction_id), updated_at = now()
                WHERE id = \(payment.id)
                """, logger: logger)
            try await finish(
                eventID, status: "applied", reason: "declined", paymentID: payment.id, on: connection, logger: logger)
            return .declined(paymentID: payment.id)
        }

        try await connection.query(
            """
            UPDATE payments SET status = 'paid', paid_at = now(),
                transaction_id = COALESCE(\(notification.transactionID), transaction_id), updated_at = now()
            WHERE id = \(payment.id)
            """, logger: logger)
        var periodStart: Date?
        var periodEnd: Date?
        if let planID = payment.planID {
            // A paid plan starts a fresh period now; whatever was current (a trial, another plan) ends.
            try await connection.query(
                """
                UPDATE subscriptions SET status = 'expired', updated_at = now()
                WHERE user_id = \(payment.userID) AND status IN ('trialing', 'active', 'past_due')
                """, logger: logger)
            let rows = try await connection.query(
                """
                INSERT INTO subscriptions
                    (user_id, plan_id, status, current_period_start, renews_at, provider, external_ref)
                VALUES (\(payment.userID), \(planID), 'active', now(),
                        ((now() AT TIME ZONE 'Asia/Amman') + interval '1 month') AT TIME ZONE 'Asia/Amman',
                        \(payment.provider.rawValue), \(payment.id.uuidString.lowercased()))
                RETURNING current_period_start, renews_at
                """, logger: logger)
            for try await (start, end) in rows.decode((Date, Date).self) {
                periodStart = start
                periodEnd = end
            }
        } else if let addonID = payment.addonID {
            // An add-on raises this period's limit for its kind; with no current period, the next month's.
            let rows = try await connection.query(
                """
                INSERT INTO addon_credits (user_id, addon_id, kind, amount, period_start, period_end, payment_id)
                SELECT \(payment.userID), a.id, a.kind, a.amount,
                       COALESCE(s.current_period_start, now()),
                       COALESCE(s.renews_at,
                                ((now() AT TIME ZONE 'Asia/Amman') + interval '1 month') AT TIME ZONE 'Asia/Amman'),
                       \(payment.id)
                FROM addons a
                LEFT JOIN LATERAL (
                    SELECT current_period_start, renews_at FROM subscriptions
                    WHERE user_id = \(payment.userID) AND status IN ('trialing', 'active', 'past_due')
                      AND current_period_start <= now() AND renews_at > now()
                    ORDER BY created_at DESC LIMIT 1
                ) s ON true
                WHERE a.id = \(addonID)
                ON CONFLICT (payment_id) DO NOTHING
                RETURNING period_start, period_end
                """, logger: logger)
            for try await (start, end) in rows.decode((Date, Date).self) {
                periodStart = start
                periodEnd = end
            }
        }
        try await connection.query(
            """
            INSERT INTO invoices
                (number, user_id, payment_id, plan_id, addon_id, description, description_ar, amount_fils, currency,
                 provider, provider_ref, period_start, period_end)
            SELECT 'AIS-' || to_char(now() AT TIME ZONE 'Asia/Amman', 'YYYY') || '-'
                       || lpad(nextval('invoice_number_seq')::text, 6, '0'),
                   p.user_id, p.id, p.plan_id, p.addon_id,
                   COALESCE('AI Studio ' || pl.name || ' plan, one month', ad.name),
                   COALESCE('خطة ' || pl.name_ar || ' في AI Studio لمدة شهر', ad.name_ar),
                   p.amount_fils, p.currency, p.provider, COALESCE(p.transaction_id, p.external_id),
                   \(periodStart), \(periodEnd)
            FROM payments p
            LEFT JOIN plans pl ON pl.id = p.plan_id
            LEFT JOIN addons ad ON ad.id = p.addon_id
            WHERE p.id = \(payment.id)
            ON CONFLICT (payment_id) DO NOTHING
            """, logger: logger)
        try await finish(eventID, status: "applied", reason: nil, paymentID: payment.id, on: connection, logger: logger)
        return .activated(paymentID: payment.id)
    }
}
