import ArgumentParser
import Core
import Foundation
import PostgresNIO

struct Payments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect payments, re-apply stored notifications, reconcile with the provider.",
        subcommands: [Show.self, Reprocess.self, Reconcile.self])

    struct Event: Codable {
        let id: String
        let provider: String
        let source: String
        let status: String
        let reason: String?
        let receivedAt: Date

        enum CodingKeys: String, CodingKey {
            case id, provider, source, status, reason
            case receivedAt = "received_at"
        }
    }

    /// The notifications stored for a payment (by the payment's id), or the one event with that id.
    static func events(_ ops: Ops, for id: UUID) async throws -> [Event] {
        let rows = try await ops.postgres.query(
            """
            SELECT id, provider, source, status, reason, received_at FROM payment_events
            WHERE id = \(id) OR payment_id = \(id) OR lower(notification_json ->> 'merchant_reference') = \(id.lower)
            ORDER BY received_at
            """, logger: ops.logger)
        var events: [Event] = []
        for try await (id, provider, source, status, reason, received) in rows.decode(
            (UUID, String, String, String, String?, Date).self)
        {
            events.append(
                Event(
                    id: id.lower, provider: provider, source: source, status: status, reason: reason,
                    receivedAt: received))
        }
        return events
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A payment and every notification stored for it.")
        @Argument(help: "The payment's id.") var id: String
        @OptionGroup var format: JSONFlag

        struct Report: Codable {
            let id: String
            let user: String
            let item: String
            let amountJOD: String
            let provider: String
            let status: String
            let externalID: String?
            let transactionID: String?
            let failureReason: String?
            let createdAt: Date
            let paidAt: Date?
            let events: [Event]

            enum CodingKeys: String, CodingKey {
                case id, user, item, provider, status, events
                case amountJOD = "amount_jod"
                case externalID = "external_id"
                case transactionID = "transaction_id"
                case failureReason = "failure_reason"
                case createdAt = "created_at"
                case paidAt = "paid_at"
            }
        }

        func run() async throws {
            try await Ops.run { ops in
                guard let uuid = UUID(uuidString: id),
                    let payment = try await PaymentRepository(client: ops.postgres, logger: ops.logger).find(id: uuid)
                else { throw OpsError("no payment \(id)") }
                let owner = try await UserRepository(client: ops.postgres, logger: ops.logger).find(id: payment.userID)
                let report = Report(
                    id: payment.id.lower, user: owner?.email ?? payment.userID.lower,
                    item: payment.planID ?? payment.addonID ?? "", amountJOD: Money.jod(fils: payment.amountFils),
                    provider: payment.provider.rawValue, status: payment.status.rawValue,
                    externalID: payment.externalID,
                    transactionID: payment.transactionID, failureReason: payment.failureReason,
                    createdAt: payment.createdAt, paidAt: payment.paidAt,
                    events: try await Payments.events(ops, for: uuid))
                if format.json { return try ops.output.json(report) }
                ops.output.fields([
                    ("payment", report.id), ("user", report.user), ("item", report.item),
                    ("amount", "\(report.amountJOD) JOD"), ("provider", report.provider), ("status", report.status),
                    ("checkout", report.externalID ?? "-"), ("transaction", report.transactionID ?? "-"),
                    ("failure", report.failureReason ?? "-"), ("created", report.createdAt.iso),
                    ("paid", report.paidAt?.iso ?? "-"),
                ])
                ops.output.line()
                ops.output.table(
                    ["event", "source", "status", "reason", "received"],
                    report.events.map { [$0.id, $0.source, $0.status, $0.reason ?? "", $0.receivedAt.iso] })
            }
        }
    }

    struct Reprocess: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Apply a payment's stored notifications again; a payment is applied once however often this runs.",
            discussion: """
                Notifications that were rejected or ignored (say the webhook came before the payment row) are \
                applied again; one that already took effect is left alone.
                """)
        @Argument(help: "The payment's id, or one notification's id.") var id: String
        @OptionGroup var why: Reason

        func run() async throws {
            try await Ops.run { ops in
                guard let uuid = UUID(uuidString: id) else { throw OpsError("\(id) is not an id") }
                let events = try await Payments.events(ops, for: uuid)
                guard !events.isEmpty else { throw OpsError("no stored notification for \(id)") }
                let repository = PaymentRepository(client: ops.postgres, logger: ops.logger)
                var outcomes: [String] = []
                for event in events {
                    guard event.status != "applied", let eventID = UUID(uuidString: event.id) else {
                        outcomes.append("\(event.id): already applied")
                        continue
                    }
                    try await ops.postgres.query(
                        """
                        UPDATE payment_events SET status = 'received', reason = NULL, processed_at = NULL
                        WHERE id = \(eventID) AND status IN ('rejected', 'ignored')
                        """, logger: ops.logger)
                    outcomes.append("\(event.id): \(try await repository.apply(eventID: eventID))")
                }
                try await ops.audit(
                    "payments.reprocess", target: "payment:\(uuid.lower)", reason: why.reason,
                    details: ["outcomes": outcomes.joined(separator: "; ")])
                for outcome in outcomes { ops.output.line(outcome) }
            }
        }
    }

    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the provider about every payment since a date and list where it disagrees with us.",
            discussion: "With --apply, a final answer for a pending payment is stored and applied like a notification.")
        @Option(help: "Start date, YYYY-MM-DD (UTC).") var since: String
        @Flag(help: "Apply final answers for pending payments.") var apply = false
        @Option(help: "Why (needed with --apply).") var reason: String?
        @OptionGroup var format: JSONFlag

        struct Difference: Codable {
            let payment: String
            let provider: String
            let ours: String
            let theirs: String
            let resultCode: String
            let action: String

            enum CodingKeys: String, CodingKey {
                case payment, provider, ours, theirs, action
                case resultCode = "result_code"
            }
        }

        func validate() throws {
            guard Self.date(since) != nil else { throw ValidationError("--since must be a date like 2026-11-01") }
            if apply, (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--apply changes payments: give --reason")
            }
        }

        static func date(_ text: String) -> Date? {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd"
            return formatter.date(from: text)
        }

        static func providers(_ config: ConfigSource) throws -> [PaymentProviderID: any PaymentProvider] {
            var out: [PaymentProviderID: any PaymentProvider] = [:]
            if let settings = try HyperPaySettings(config) { out[.hyperpay] = HyperPayProvider(settings: settings) }
            if let settings = try PayTabsSettings(config) { out[.paytabs] = PayTabsProvider(settings: settings) }
            if let settings = try ZainCashSettings(config) { out[.zaincash] = ZainCashProvider(settings: settings) }
            return out
        }

        func run() async throws {
            try await Ops.run { ops in
                let start = Self.date(since)!
                let providers = try Self.providers(ops.config)
                let rows = try await ops.postgres.query(
                    """
                    SELECT id, provider, status, external_id FROM payments
                    WHERE created_at >= \(start) AND external_id IS NOT NULL AND status IN ('pending', 'paid', 'failed')
                    ORDER BY created_at
                    """, logger: ops.logger)
                var payments: [(UUID, String, String, String)] = []
                for try await row in rows.decode((UUID, String, String, String).self) { payments.append(row) }
                let repository = PaymentRepository(client: ops.postgres, logger: ops.logger)
                var differences: [Difference] = []
                var unchecked = 0
                for (id, providerName, ours, external) in payments {
                    guard let providerID = PaymentProviderID(rawValue: providerName),
                        let provider = providers[providerID]
                    else {
                        unchecked += 1
                        continue
                    }
                    let answer = try await provider.fetchStatus(externalID: external)
                    let theirs: String
                    switch answer.outcome {
                    case .succeeded: theirs = "paid"
                    case .failed: theirs = "failed"
                    case .pending: theirs = "pending"
                    }
                    guard theirs != ours else { continue }
                    var action = "none"
                    if apply, ours == "pending", theirs != "pending" {
                        let raw = try JSONEncoder().encode(answer)
                        let stored = try await repository.storeEvent(
                            provider: providerID, source: "status",
                            dedupeKey: "status:\(answer.transactionID ?? external):\(answer.resultCode)", headers: [:],
                            rawBody: raw, notification: answer, reason: nil)
                        action = "\(try await repository.apply(eventID: stored.id))"
                    }
                    differences.append(
                        Difference(
                            payment: id.lower, provider: providerName, ours: ours, theirs: theirs,
                            resultCode: answer.resultCode, action: action))
                }
                if apply {
                    try await ops.audit(
                        "payments.reconcile", target: "payments:since:\(since)", reason: reason ?? "",
                        details: [
                            "checked": String(payments.count - unchecked), "differences": String(differences.count),
                        ])
                }
                if format.json { return try ops.output.json(differences) }
                ops.output.line(
                    "\(payments.count - unchecked) payment(s) checked since \(since), \(differences.count) difference(s)"
                        + (unchecked > 0 ? ", \(unchecked) not checked (provider not configured)" : ""))
                ops.output.table(
                    ["payment", "provider", "ours", "theirs", "result code", "action"],
                    differences.map { [$0.payment, $0.provider, $0.ours, $0.theirs, $0.resultCode, $0.action] })
            }
        }
    }
}
