import Core
import Foundation
import Logging

extension QuotaLedger {
    /// Moderates `texts` and reserves `amount` of `kind` side by side, the reservation counting the request
    /// for the rate limit (`admission`) in the same Redis call — every AI route does all three before
    /// calling a provider, and none needs another's answer. The answers are taken in the order the API
    /// promises: a rate-limit refusal (429) first, then blocked text (422 `content_blocked`), then the
    /// reservation's own refusal (402). A
    /// reservation made for a refused request is given back at once, never billed. `check` is a route's own
    /// condition run beside them (the chat's: the conversation is the user's); its error comes after
    /// moderation's and before the reservation's.
    func reserve(
        userID: UUID, kind: UsageKind, amount: Int64, lifetime: Duration? = nil, moderating texts: [String],
        with moderator: any Moderator, admission: Admission?,
        alongside check: (@Sendable () async throws -> Void)? = nil, logger: Logger
    ) async throws -> Reservation {
        async let checked: Void = { if let check { try await check() } }()
        async let moderated = Telemetry.span("moderation") { span in
            let verdict = try await moderator.check(texts)
            span?.attributes["moderation.blocked"] = verdict.blocked
            return verdict
        }
        let reserved = await Result {
            try await Telemetry.span("quota reserve") { span in
                span?.attributes["quota.kind"] = kind.rawValue
                span?.attributes["quota.amount"] = Int(amount)
                return try await reserve(
                    userID: userID, kind: kind, amount: amount, lifetime: lifetime, admission: admission)
            }
        }
        let verdict: ModerationVerdict
        do {
            try await admission?.wait()
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
        do {
            try await checked
        } catch {
            if case .success(let reservation) = reserved { await release(reservation) }
            throw error
        }
        return try reserved.get()
    }
}
