import Core
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A sliding window per user in front of every AI route (default 60 requests per 60 s, or the
/// user's own limit set with `studioctl limits set`), with the `X-RateLimit-*` headers on every answer.
///
/// The request is counted in Redis by the route, in the same call as its quota reservation (see
/// `Admission`): the reservation script counts first and reserves nothing for a refused request, and the
/// route waits for the count before it calls a provider, so a refused request is still refused before
/// any of that, without a round trip of its own. A route that returns without reserving is counted here
/// afterwards and still answers 429 when refused. A user refused in the last window is counted first, as
/// before, so someone hammering the gateway past the limit does not get moderation calls made for
/// requests that end in 429.
struct UserRateLimitMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let limiter: RateLimiter
    let rule: RateLimiter.Rule
    let refused = RecentRefusals()

    static let limitHeader = HTTPField.Name("X-RateLimit-Limit")!
    static let remainingHeader = HTTPField.Name("X-RateLimit-Remaining")!
    static let resetHeader = HTTPField.Name("X-RateLimit-Reset")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let user = try context.requireUser()
        let window = Int(rule.window.components.seconds)
        let subject = "ai:user:\(user.id.uuidString.lowercased())"
        let admission = Admission(counting: limiter.prepare(subject, rule: rule), limiter: limiter)
        var context = context
        context.admission = admission
        if refused.contains(user.id) {
            // Counted before the route starts (`decided` counts what nobody has claimed).
            let decision = try await decided(admission, user: user)
            return headed(try await next(request, context), decision, window: window)
        }
        let answered = await Result { try await next(request, context) }
        let decision = try await decided(admission, user: user)
        return headed(try answered.get(), decision, window: window)
    }

    /// The count's decision (counting now if the route did not): the 429 when refused.
    private func decided(_ admission: Admission, user: User) async throws -> RateLimiter.Decision {
        let decision = try await Telemetry.span("rate limit") { span in
            let decision = try await admission.decision().get()
            if case .limited = decision { span?.attributes["rate_limit.limited"] = true }
            return decision
        }
        if case .limited(let retryAfter, let limit) = decision {
            refused.insert(user.id, for: .seconds(retryAfter))
            throw Self.refusal(retryAfter: retryAfter, limit: limit)
        }
        return decision
    }

    private func headed(_ response: Response, _ decision: RateLimiter.Decision, window: Int) -> Response {
        guard case .allowed(let remaining, let limit) = decision else { return response }
        var response = response
        response.headers[Self.limitHeader] = String(limit)
        response.headers[Self.remainingHeader] = String(remaining)
        response.headers[Self.resetHeader] = String(window)
        return response
    }

    /// 429 with `Retry-After` and the `X-RateLimit-*` headers.
    static func refusal(retryAfter: Int, limit: Int) -> AppError {
        let error = AppError.rateLimited(retryAfterSeconds: retryAfter)
        return AppError(
            code: error.code, status: error.status, logLevel: .notice, message: error.message,
            messageAr: error.messageAr,
            details: error.details,
            headers: error.headers + [
                HTTPField(name: limitHeader, value: String(limit)),
                HTTPField(name: remainingHeader, value: "0"),
                HTTPField(name: resetHeader, value: String(retryAfter)),
            ])
    }
}

/// Users refused by the rate limit recently, in this process, until their `Retry-After` has passed.
final class RecentRefusals: Sendable {
    private let until = Mutex<[UUID: ContinuousClock.Instant]>([:])
    let capacity = 10_000

    func contains(_ id: UUID) -> Bool {
        until.withLock { until in
            guard let deadline = until[id] else { return false }
            if deadline > .now { return true }
            until[id] = nil
            return false
        }
    }

    func insert(_ id: UUID, for duration: Duration) {
        until.withLock { until in
            if until.count >= capacity { until = until.filter { $0.value > .now } }
            if until.count < capacity { until[id] = .now + duration }
        }
    }
}
