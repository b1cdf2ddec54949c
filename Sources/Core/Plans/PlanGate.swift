import Foundation
import Logging
import PostgresNIO

/// A switch a plan turns on beyond its quotas (`plans.features_json`).
public enum PlanFeature: String, Sendable, CaseIterable {
    case chat, cv, image, video, slides
    case pdfSummary = "pdf_summary"
    case longPrompts = "long_prompts"
    case advancedEditors = "advanced_editors"

    public func isOn(in features: PlanFeatures) -> Bool {
        switch self {
        case .chat: features.chat
        case .cv: features.cv
        case .image: features.image
        case .video: features.video
        case .slides: features.slides
        case .pdfSummary: features.pdfSummary
        case .longPrompts: features.longPrompts
        case .advancedEditors: features.advancedEditors
        }
    }

    var english: String {
        switch self {
        case .chat: "Chat"
        case .cv: "the CV Maker"
        case .image: "images"
        case .video: "video"
        case .slides: "the Slide Maker"
        case .pdfSummary: "PDF summaries"
        case .longPrompts: "long prompts"
        case .advancedEditors: "the advanced editors"
        }
    }

    var arabic: String {
        switch self {
        case .chat: "المحادثة"
        case .cv: "صانع السيرة الذاتية"
        case .image: "الصور"
        case .video: "الفيديو"
        case .slides: "صانع العروض التقديمية"
        case .pdfSummary: "تلخيص ملفات PDF"
        case .longPrompts: "الرسائل الطويلة"
        case .advancedEditors: "المحرّرات المتقدّمة"
        }
    }
}

/// The one feature check every gated route calls: the features of the user's current plan (trial,
/// active or past due within its period); none without a current plan. Add-ons grant quota only.
public struct PlanGate: Sendable {
    let usage: UsageRepository
    let plans: PlanRepository

    public init(client: PostgresClient, logger: Logger) {
        usage = UsageRepository(client: client, logger: logger)
        plans = PlanRepository(client: client, logger: logger)
    }

    public init(usage: UsageRepository, plans: PlanRepository) {
        self.usage = usage
        self.plans = plans
    }

    public func features(userID: UUID, now: Date = Date()) async throws -> PlanFeatures? {
        guard let subscription = try await usage.currentSubscription(userID: userID, now: now),
            let plan = try await plans.plan(id: subscription.planID)
        else { return nil }
        return plan.features
    }

    /// Throws 402 `plan_feature_required` unless the user's current plan has `feature`.
    public func require(_ feature: PlanFeature, userID: UUID) async throws {
        guard let features = try await features(userID: userID), feature.isOn(in: features) else {
            throw AppError.planFeatureRequired(feature)
        }
    }
}

extension AppError {
    /// 402: the user's plan does not include `feature`; carries the upgrade link.
    public static func planFeatureRequired(_ feature: PlanFeature, details: [String: String] = [:]) -> AppError {
        AppError(
            code: "plan_feature_required", status: .init(code: 402, reasonPhrase: "Payment Required"),
            message: "Your plan does not include \(feature.english). Upgrade to use it.",
            messageAr: "خطتك الحالية لا تشمل \(feature.arabic). قم بالترقية لاستخدامها.",
            details: details.merging(["feature": feature.rawValue, "upgrade_url": "/app/account/"]) { $1 })
    }

    /// 402: longer than the plan allows in one request (Creator's long prompts go further).
    public static func promptTooLongForPlan(limit: Int) -> AppError {
        AppError(
            code: "plan_feature_required", status: .init(code: 402, reasonPhrase: "Payment Required"),
            message:
                "This request is longer than your plan allows (\(limit) tokens). Shorten it, or upgrade for long prompts.",
            messageAr: "هذا الطلب أطول مما تسمح به خطتك (\(limit) رمز). اختصره، أو قم بالترقية للرسائل الطويلة.",
            details: [
                "feature": PlanFeature.longPrompts.rawValue, "max_input_tokens": String(limit),
                "upgrade_url": "/app/account/",
            ])
    }
}
