import Core
import Foundation
import Hummingbird

/// `GET /v1/gateway/openapi.json`: the gateway's contract, as documented in docs/API_CONTRACTS.md.
struct OpenAPIRoutes {
    static var documentURL: URL? {
        Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources")
    }

    func register(on group: RouterGroup<GatewayRequestContext>) {
        let document = Self.documentURL.flatMap { try? Data(contentsOf: $0) }
        group.get("gateway/openapi.json") { _, _ -> Response in
            guard let document else { throw AppError.notFound }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
    }
}

extension AppError {
    /// Every error code the gateway answers with, for the contract document.
    static var gatewayCatalogue: [AppError] {
        [
            .validation(
                "The request is malformed: check the data you sent.", "الطلب غير صالح: تحقّق من البيانات المرسلة."),
            .unknownModel("…"), .modelUnavailable("…"), .cannotEdit("…"), .fileNotReady(.quarantined),
            .fileNotReady(.rejected), .attachmentNotSupported, .attachmentNotRead, .modelCannotSee("…"),
            .unauthenticated, .accountBlocked,
            .csrfFailed, .notFound,
            .quotaExceeded(upgradeURL: "/app/account"), .promptTooLongForPlan(limit: 8000), .contentBlocked,
            .rateLimited(retryAfterSeconds: 60),
            .providerFailure("openai"), ProviderError.overloaded(provider: "openai", retryAfter: 10).appError,
            .providerTimeout("openai"), .serviceUnavailable, .internalError,
        ]
    }
}
