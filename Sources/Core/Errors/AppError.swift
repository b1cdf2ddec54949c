import HTTPTypes
import Hummingbird
import Logging

/// The one error vocabulary of the studio: every failure a client can see is one of these.
public struct AppError: Error, Sendable {
    public let code: String
    public let status: HTTPResponse.Status
    public let logLevel: Logger.Level
    public let message: String
    public let messageAr: String
    /// Extra fields placed next to `code` in the JSON body (for example `upgrade_url`).
    public let details: [String: String]
    public let headers: HTTPFields

    public init(
        code: String,
        status: HTTPResponse.Status,
        logLevel: Logger.Level = .info,
        message: String,
        messageAr: String,
        details: [String: String] = [:],
        headers: HTTPFields = [:]
    ) {
        self.code = code
        self.status = status
        self.logLevel = logLevel
        self.message = message
        self.messageAr = messageAr
        self.details = details
        self.headers = headers
    }
}

extension AppError {
    public static func validation(_ message: String, _ messageAr: String, field: String? = nil) -> AppError {
        AppError(
            code: "validation_failed", status: .badRequest, message: message, messageAr: messageAr,
            details: field.map { ["field": $0] } ?? [:])
    }

    public static let unauthenticated = AppError(
        code: "unauthenticated", status: .unauthorized,
        message: "Please sign in to continue.", messageAr: "يرجى تسجيل الدخول للمتابعة.")

    public static let forbidden = AppError(
        code: "forbidden", status: .forbidden,
        message: "You do not have access to this.", messageAr: "ليست لديك صلاحية الوصول إلى هذا.")

    public static let accountBlocked = AppError(
        code: "account_blocked", status: .forbidden,
        message: "This account is blocked. Contact support if you think this is a mistake.",
        messageAr: "هذا الحساب محظور. تواصل مع الدعم إن كنت تظن أن هذا خطأ.")

    public static let notFound = AppError(
        code: "not_found", status: .notFound,
        message: "Not found.", messageAr: "غير موجود.")

    public static let methodNotAllowed = AppError(
        code: "method_not_allowed", status: .methodNotAllowed,
        message: "This method is not allowed here.", messageAr: "هذه الطريقة غير مسموح بها هنا.")

    public static let payloadTooLarge = AppError(
        code: "payload_too_large", status: .contentTooLarge,
        message: "The request is too large.", messageAr: "الطلب كبير جدًا.")

    public static func quotaExceeded(upgradeURL: String) -> AppError {
        AppError(
            code: "quota_exceeded", status: .init(code: 402, reasonPhrase: "Payment Required"),
            message: "You have used this month's allowance. Upgrade your plan or buy an add-on.",
            messageAr: "لقد استهلكت رصيد هذا الشهر. يمكنك ترقية باقتك أو شراء إضافة.",
            details: ["upgrade_url": upgradeURL])
    }

    public static func rateLimited(retryAfterSeconds: Int) -> AppError {
        AppError(
            code: "rate_limited", status: .tooManyRequests,
            message: "Too many requests. Please wait \(retryAfterSeconds) seconds and try again.",
            messageAr: "طلبات كثيرة جدًا. يرجى الانتظار \(retryAfterSeconds) ثانية ثم المحاولة مجددًا.",
            details: ["retry_after": String(retryAfterSeconds)],
            headers: [.retryAfter: String(retryAfterSeconds)])
    }

    public static let contentBlocked = AppError(
        code: "content_blocked", status: .unprocessableContent,
        message: "This request was blocked by our content policy.",
        messageAr: "تم حظر هذا الطلب وفق سياسة المحتوى لدينا.")

    public static func providerFailure(_ provider: String) -> AppError {
        AppError(
            code: "provider_error", status: .badGateway, logLevel: .error,
            message: "The AI provider failed to answer. Nothing was charged; please try again.",
            messageAr: "تعذّر على مزوّد الذكاء الاصطناعي الرد. لم يُخصم شيء، يرجى المحاولة مجددًا.",
            details: ["provider": provider])
    }

    public static func providerTimeout(_ provider: String) -> AppError {
        AppError(
            code: "provider_timeout", status: .gatewayTimeout, logLevel: .error,
            message: "The AI provider took too long to answer. Nothing was charged; please try again.",
            messageAr: "استغرق مزوّد الذكاء الاصطناعي وقتًا طويلًا في الرد. لم يُخصم شيء، يرجى المحاولة مجددًا.",
            details: ["provider": provider])
    }

    public static let serviceUnavailable = AppError(
        code: "service_unavailable", status: .serviceUnavailable, logLevel: .error,
        message: "The service is temporarily unavailable. Please try again shortly.",
        messageAr: "الخدمة غير متاحة مؤقتًا. يرجى المحاولة بعد قليل.")

    public static let internalError = AppError(
        code: "internal_error", status: .internalServerError, logLevel: .error,
        message: "Something went wrong on our side. Please try again.",
        messageAr: "حدث خطأ من جهتنا. يرجى المحاولة مجددًا.")
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing call, kept to be looked at later.
    public init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
