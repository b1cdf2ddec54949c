import Core
import Foundation
import HTTPTypes
import Hummingbird

/// A sliding window per user in front of every AI route (default 60 requests per 60 s, or the
/// user's own limit set with `studioctl limits set`), with the `X-RateLimit-*` headers on every answer.
struct UserRateLimitMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let limiter: RateLimiter
    let rule: RateLimiter.Rule

    static let limitHeader = HTTPField.Name("X-RateLimit-Limit")!
    static let remainingHeader = HTTPField.Name("X-RateLimit-Remaining")!
    static let resetHeader = HTTPField.Name("X-RateLimit-Reset")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let user = try context.requireUser()
        let window = Int(rule.window.components.seconds)
        let decision = try await Telemetry.span("rate limit") { span in
            let decision = try await limiter.hit("ai:user:\(user.id.uuidString.lowercased())", rule: rule)
            if case .limited = decision { span?.attributes["rate_limit.limited"] = true }
            return decision
        }
        switch decision {
        case .limited(let retryAfter, let limit):
            var error = AppError.rateLimited(retryAfterSeconds: retryAfter)
            error = AppError(
                code: error.code, status: error.status, logLevel: .notice, message: error.message,
                messageAr: error.messageAr,
                details: error.details,
                headers: error.headers + [
                    HTTPField(name: Self.limitHeader, value: String(limit)),
                    HTTPField(name: Self.remainingHeader, value: "0"),
                    HTTPField(name: Self.resetHeader, value: String(retryAfter)),
                ])
            throw error
        case .allowed(let remaining, let limit):
            var response = try await next(request, context)
            response.headers[Self.limitHeader] = String(limit)
            response.headers[Self.remainingHeader] = String(remaining)
            response.headers[Self.resetHeader] = String(window)
            return response
        }
    }
}
