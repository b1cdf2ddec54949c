import Foundation
import HTTPTypes
import Hummingbird

/// A request context that can carry the signed-in user.
public protocol SessionRequestContext: RequestContext {
    var user: User? { get set }
    /// True when the session came from the cookie (so CSRF protection applies), false for a bearer token.
    var cookieSession: Bool { get set }
}

extension SessionRequestContext {
    /// The signed-in user, or 401.
    public func requireUser() throws -> User {
        guard let user else { throw AppError.unauthenticated }
        return user
    }
}

/// Reads the session (cookie `session`, or `Authorization: Bearer` for scripts and SDKs), checks it
/// against the user's token version, and refuses mutating cookie requests whose `X-CSRF-Token`
/// header does not echo the `csrf_token` cookie. With a `SessionUserCache` (the gateway), the user row
/// comes from the cache while its change listener is connected, and a token's signature is checked once.
public struct SessionAuthenticator<Context: SessionRequestContext>: RouterMiddleware {
    let tokens: SessionTokens
    let users: UserRepository
    let cache: SessionUserCache?

    public static var csrfHeader: HTTPField.Name { HTTPField.Name("X-CSRF-Token")! }

    public init(tokens: SessionTokens, users: UserRepository, cache: SessionUserCache? = nil) {
        self.tokens = tokens
        self.users = users
        self.cache = cache
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        let bearer = request.headers[.authorization].flatMap { value -> String? in
            value.lowercased().hasPrefix("bearer ") ? String(value.dropFirst(7)) : nil
        }
        guard let token = bearer ?? request.cookies["session"]?.value, !token.isEmpty else {
            throw AppError.unauthenticated
        }
        let found = try await Telemetry.span("auth") { span in
            var found: User?
            _ = try await tokens.verify(token, remembering: cache?.verifiedTokens) { id in
                if let cached = cache?.user(id) {
                    span?.attributes["auth.cached"] = true
                    found = cached
                } else {
                    let mark = cache?.readMark()
                    found = try await Telemetry.query("SELECT users") { try await users.find(id: id) }
                    if let cache, let mark, let found { cache.store(found, readAt: mark) }
                }
                return found.map(\.tokenVersion)
            }
            return found
        }
        guard let user = found else { throw AppError.unauthenticated }
        guard user.isActive else { throw AppError.accountBlocked }
        context.user = user
        context.cookieSession = bearer == nil
        context.logger[metadataKey: "user_id"] = .string(user.id.uuidString.lowercased())
        if context.cookieSession && ![.get, .head, .options].contains(request.method) {
            let cookie = request.cookies["csrf_token"]?.value ?? ""
            let header = request.headers[Self.csrfHeader] ?? ""
            guard !cookie.isEmpty, cookie.utf8.count == header.utf8.count,
                zip(cookie.utf8, header.utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0
            else { throw AppError.csrfFailed }
        }
        return try await next(request, context)
    }
}

extension AppError {
    public static let csrfFailed = AppError(
        code: "csrf_failed", status: .forbidden,
        message: "This request is missing its security token. Reload the page and try again.",
        messageAr: "ينقص هذا الطلب رمز الحماية. أعد تحميل الصفحة ثم حاول مجددًا.")
}
