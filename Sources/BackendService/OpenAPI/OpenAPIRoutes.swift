import Core
import Foundation
import Hummingbird

/// `GET /v1/openapi.json`: the backend's contract, as documented in docs/API_CONTRACTS.md.
struct OpenAPIRoutes {
    static var documentURL: URL? {
        Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources")
    }

    func register(on group: RouterGroup<BackendRequestContext>) {
        let document = Self.documentURL.flatMap { try? Data(contentsOf: $0) }
        group.get("openapi.json") { _, _ -> Response in
            guard let document else { throw AppError.notFound }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
    }
}

extension AppError {
    /// Every error code the backend answers with, for the contract document.
    static var backendCatalogue: [AppError] {
        [
            .validation(
                "The request is malformed: check the data you sent.", "الطلب غير صالح: تحقّق من البيانات المرسلة."),
            .invalidEmail,
            .unauthenticated, .accountBlocked, .csrfFailed, .forbidden, .notFound, .methodNotAllowed, .payloadTooLarge,
            .rateLimited(retryAfterSeconds: 60), .mailUnavailable, .unsupportedFileType, .fileTooLarge(limit: 10 << 20),
            .fileNotReady(.quarantined), .fileNotReady(.rejected), .linkExpired, .serviceUnavailable, .internalError,
            .paymentProviderUnavailable, .paymentProviderFailed, .noActiveSubscription, .paymentRequired,
            .notConvertible, .notAVideo, .notAnImage, .photoNotUsable, .notADocument, .textNotReady,
            .nothingToSummarise,
            .planFeatureRequired(.slides), .planFeatureRequired(.advancedEditors),
            .quotaExceeded(upgradeURL: "/app/account"),
        ] + MagicLinkRepository.Refusal.allCases.map(\.appError)
    }
}
