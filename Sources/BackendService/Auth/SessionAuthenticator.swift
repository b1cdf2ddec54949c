import Core
import Foundation
import HTTPTypes
import Hummingbird

/// Reads the session (cookie `session`, or `Authorization: Bearer` for scripts), checks it against
/// the user's token version, and refuses mutating cookie requests whose `X-CSRF-Token` header does
/// not echo the `csrf_token` cookie.
struct SessionAuthenticator: RouterMiddleware {
    typealias Context = BackendRequestContext
    let tokens: SessionTokens
    let users: UserRepository

    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        let bearer = request.headers[.authorization].flatMap { value -> String? in
            value.lowercased().hasPrefix("bearer ") ? String(value.dropFirst(7)) : nil
        }
        guard let token = bearer ?? request.cookies["session"]?.value, !token.isEmpty else {
            throw AppError.unauthenticated
        }
        var found: User?
        _ = try await tokens.verify(token) { id in
            found = try await users.find(id: id)
            return found.map(\.tokenVersion)
        }
        guard let user = found else { throw AppError.unauthenticated }
        guard user.isActive else { throw AppError.accountBlocked }
        context.user = user
        context.cookieSession = bearer == nil
        context.logger[metadataKey: "user_id"] = .string(user.id.uuidString.lowercased())
        if context.cookieSession && ![.get, .head, .options].contains(request.method) {
            let cookie = request.cookies["csrf_token"]?.value ?? ""
            let header = request.headers[Self.csrfHeader] ?? ""
            guard !cookie.isEmpty, Data(cookie.utf8).constantTimeEquals(Data(header.utf8)) else {
                throw AppError.csrfFailed
            }
        }
        return try await next(request, context)
    }
}

extension AppError {
    static let csrfFailed = AppError(
        code: "csrf_failed", status: .forbidden,
        message: "This request is missing its security token. Reload the page and try again.",
        messageAr: "ينقص هذا الطلب رمز الحماية. أعد تحميل الصفحة ثم حاول مجددًا.")
}
