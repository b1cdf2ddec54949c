import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Maps every error thrown below it to `{"error":{"code","message","message_ar",…}}`.
/// Unknown errors become a logged 500 with a JSON body, never an empty one.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let appError = Self.appError(for: error)
            let level: Logger.Level = appError.status.code >= 500 ? .error : appError.logLevel
            var metadata: Logger.Metadata = [
                "code": .string(appError.code),
                "status": .stringConvertible(appError.status.code),
                "path": .string(request.uri.path),
            ]
            if !(error is AppError) { metadata["error"] = .string(String(reflecting: error)) }
            context.logger.log(level: level, "request failed", metadata: metadata)
            return appError.response()
        }
    }

    static func appError(for error: any Error) -> AppError {
        if let appError = error as? AppError { return appError }
        if let httpError = error as? HTTPError {
            switch httpError.status {
            case .notFound: return .notFound
            case .methodNotAllowed: return .methodNotAllowed
            case .contentTooLarge: return .payloadTooLarge
            case .unauthorized: return .unauthenticated
            case .forbidden: return .forbidden
            case .badRequest:
                // The framework's text names decoder internals; users get one plain sentence in both languages.
                return .malformedRequest
            default:
                if httpError.status.code < 500 {
                    return AppError(
                        code: "request_error", status: httpError.status,
                        message: httpError.body ?? httpError.status.reasonPhrase,
                        messageAr: "تعذّر تنفيذ الطلب.")
                }
                return .internalError
            }
        }
        if error is DecodingError {
            return .validation(
                "The request body is not valid JSON for this endpoint.", "محتوى الطلب ليس JSON صالحًا لهذه الواجهة.")
        }
        return .internalError
    }
}

extension AppError {
    /// A body that is not the shape the endpoint reads (what the framework's decoder refuses with 400).
    public static let malformedRequest = AppError.validation(
        "The request is malformed: check the data you sent.", "الطلب غير صالح: تحقّق من البيانات المرسلة.")

    /// The JSON response for this error.
    public func response() -> Response {
        var body: [String: String] = ["code": code, "message": message, "message_ar": messageAr]
        for (key, value) in details where body[key] == nil { body[key] = value }
        let data = (try? JSONEncoder.sorted.encode(["error": body])) ?? Data()
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension JSONEncoder {
    /// Stable key order, so logs and bodies are comparable in tests and diffs.
    public static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
