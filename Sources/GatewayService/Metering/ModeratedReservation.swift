import Core
import Foundation
import Logging

extension QuotaLedger {
    /// Moderates `texts` and reserves `amount` of `kind` side by side — every AI route does both before
    /// calling a provider, and neither needs the other's answer. Blocked text wins over every other
    /// outcome: its reservation (if one was made) is given back and the request ends with 422
    /// `content_blocked`, never billed; otherwise the reservation's own refusal (402) stands.
    func reserve(
        userID: UUID, kind: UsageKind, amount: Int64, lifetime: Duration? = nil, moderating texts: [String],
        with moderator: any Moderator, logger: Logger
    ) async throws -> Reservation {
        async let moderated = Telemetry.span("moderation") { span in
            let verdict = try await moderator.check(texts)
            span?.attributes["moderation.blocked"] = verdict.blocked
            return verdict
        }
        let reserved = await Result {
            try await Telemetry.span("quota reserve") { span in
                span?.attributes["quota.kind"] = kind.rawValue
                span?.attributes["quota.amount"] = Int(amount)
                return try await reserve(userID: userID, kind: kind, amount: amount, lifetime: lifetime)
            }
        }
        let verdict: ModerationVerdict
        do {
            verdict = try await moderated
        } catch {
            if case .success(let reservation) = reserved { await release(reservation) }
            throw error
        }
        if verdict.blocked {
            if case .success(let reservation) = reserved { await release(reservation) }
            logger.warning(
                "request blocked by moderation",
                metadata: ["category": .string(verdict.category ?? "unknown"), "kind": .string(kind.rawValue)])
            throw AppError.contentBlocked
        }
        return try reserved.get()
    }
}
