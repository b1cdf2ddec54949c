import Core
import Foundation
import Hummingbird
import Logging

/// Magic-link sign-in, the session cookie, and the signed-in user's profile.
struct AuthRoutes {
    let settings: AuthSettings
    let links: MagicLinkRepository
    let users: UserRepository
    let usage: UsageRepository
    let tokens: SessionTokens
    let limiter: RateLimiter
    let mailer: any Mailer

    struct MagicLinkRequest: Decodable {
        let email: String?
        let locale: String?
    }

    struct VerifyRequest: Decodable {
        let token: String?
        let email: String?
        let code: String?
    }

    struct PreferencesRequest: Decodable {
        let locale: String?
        let digits: String?
    }

    struct SessionView: ResponseEncodable {
        let user: User
        let csrfToken: String

        enum CodingKeys: String, CodingKey {
            case user
            case csrfToken = "csrf_token"
        }
    }

    struct UserView: ResponseEncodable {
        let user: User
    }

    /// Public routes (request and verify).
    func registerPublic(on group: RouterGroup<BackendRequestContext>) {
        group.post("auth/magic-link", use: requestLink)
        group.post("auth/magic-link/verify", use: verify)
    }

    /// Routes behind the session authenticator.
    func registerSignedIn(on group: RouterGroup<BackendRequestContext>) {
        group.get("auth/me") { _, context in UserView(user: try context.requireUser()) }
        group.patch("auth/me", use: updatePreferences)
        group.post("auth/logout", use: logout)
    }

    @Sendable func requestLink(_ request: Request, context: BackendRequestContext) async throws -> Response {
        let body = try await request.decode(as: MagicLinkRequest.self, context: context)
        guard let email = EmailAddress.normalized(body.email) else { throw AppError.invalidEmail }
        let locale = try Self.locale(body.locale) ?? "ar"
        let ip = context.clientIP(request, hops: settings.trustedProxyHops)
        // The IP first: a request refused for its IP must not use up the address's allowance.
        try await limiter.hit("magic:ip:\(ip)", rule: settings.perIP).enforce()
        try await limiter.hit("magic:email:\(EmailAddress.digest(email))", rule: settings.perEmail).enforce()
        let issued = try await links.issue(email: email, locale: locale, ip: ip, ttl: settings.linkLifetime)
        // The confirm page is a folder: without the trailing slash the web server's redirect drops the query.
        var components = URLComponents(url: settings.baseURL, resolvingAgainstBaseURL: false)!
        components.path = components.path.trimmingSuffix("/") + "/auth/confirm/"
        components.queryItems = [URLQueryItem(name: "token", value: issued.token)]
        let message = MagicLinkMail.message(
            to: email, link: components.url!, code: issued.code, minutes: Int(settings.linkLifetime / 60))
        do {
            try await mailer.send(message)
        } catch {
            context.logger.error("sign-in mail not sent", metadata: ["error": "\(error)"])
            throw AppError.mailUnavailable
        }
        // The same answer for every address: nobody learns who has an account.
        return jsonResponse(
            .accepted,
            [
                "status": "sent",
                "message": "If the address is valid, a sign-in e-mail is on its way.",
                "message_ar": "إن كان العنوان صحيحًا فرسالة الدخول في الطريق إليك.",
            ])
    }

    @Sendable func verify(_ request: Request, context: BackendRequestContext) async throws -> Response {
        let body = try await request.decode(as: VerifyRequest.self, context: context)
        let claim: MagicLinkRepository.Claim
        do {
            if let token = body.token, !token.isEmpty {
                claim = try await links.consume(token: token)
            } else if let email = EmailAddress.normalized(body.email), let code = body.code {
                guard code.count == 6, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else {
                    throw MagicLinkRepository.Refusal.invalidCode
                }
                try await limiter.hit("verify:email:\(EmailAddress.digest(email))", rule: settings.perEmail).enforce()
                claim = try await links.consume(email: email, code: code)
            } else {
                throw AppError.validation(
                    "Send either the token from the link, or the e-mail address and the 6-digit code.",
                    "أرسل الرمز الموجود في الرابط، أو عنوان البريد والرمز المكوّن من 6 أرقام.", field: "token")
            }
        } catch let refusal as MagicLinkRepository.Refusal {
            throw refusal.appError
        }
        let (user, created) = try await users.findOrCreate(email: claim.email, locale: claim.locale)
        guard user.isActive else { throw AppError.accountBlocked }
        if created, let trial = settings.trial {
            try await usage.startTrial(userID: user.id, planID: trial.planID, days: trial.days)
            context.logger.info("trial started", metadata: ["plan": "\(trial.planID)", "days": "\(trial.days)"])
        }
        let session = try await tokens.issue(userID: user.id, tokenVersion: user.tokenVersion)
        let csrf = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64URLEncoded
        var response = try SessionView(user: user, csrfToken: csrf).response(from: request, context: context)
        response.status = .ok
        for cookie in try sessionCookies(session: session, csrf: csrf, maxAge: Int(tokens.lifetime)) {
            response.setCookie(cookie)
        }
        return response
    }

    @Sendable func updatePreferences(_ request: Request, context: BackendRequestContext) async throws -> UserView {
        let user = try context.requireUser()
        let body = try await request.decode(as: PreferencesRequest.self, context: context)
        let locale = try Self.locale(body.locale)
        if let digits = body.digits, !["latn", "arab"].contains(digits) {
            throw AppError.validation(
                "digits must be latn or arab.", "يجب أن تكون الأرقام latn أو arab.", field: "digits")
        }
        guard let updated = try await users.updatePreferences(id: user.id, locale: locale, digits: body.digits) else {
            throw AppError.unauthenticated
        }
        return UserView(user: updated)
    }

    @Sendable func logout(_ request: Request, context: BackendRequestContext) async throws -> Response {
        let user = try context.requireUser()
        _ = try await users.bumpTokenVersion(id: user.id)
        var response = jsonResponse(.ok, ["status": "signed_out"])
        for cookie in try sessionCookies(session: "", csrf: "", maxAge: 0) { response.setCookie(cookie) }
        return response
    }

    func sessionCookies(session: String, csrf: String, maxAge: Int) throws -> [Cookie] {
        [
            try Cookie.validated(
                name: "session", value: session, maxAge: maxAge, path: "/", secure: settings.secureCookies,
                httpOnly: true, sameSite: .lax),
            try Cookie.validated(
                name: "csrf_token", value: csrf, maxAge: maxAge, path: "/", secure: settings.secureCookies,
                httpOnly: false, sameSite: .lax),
        ]
    }

    static func locale(_ value: String?) throws -> String? {
        guard let value else { return nil }
        guard ["ar", "en"].contains(value) else {
            throw AppError.validation("locale must be ar or en.", "يجب أن تكون اللغة ar أو en.", field: "locale")
        }
        return value
    }
}

extension AppError {
    static let invalidEmail = AppError(
        code: "invalid_email", status: .badRequest,
        message: "Enter a valid e-mail address.", messageAr: "أدخل عنوان بريد إلكتروني صحيحًا.",
        details: ["field": "email"])

    static let mailUnavailable = AppError(
        code: "mail_unavailable", status: .serviceUnavailable, logLevel: .error,
        message: "We could not send the e-mail just now. Please try again in a minute.",
        messageAr: "تعذّر إرسال الرسالة الآن. يرجى المحاولة بعد دقيقة.")
}
