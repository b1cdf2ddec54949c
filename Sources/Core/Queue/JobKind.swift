/// Every kind of background job, with the queue that carries it. One enum for the whole studio:
/// the gateway, backend and worker agree on kinds and payloads through it.
public enum JobKind: String, Sendable, CaseIterable, Codable {
    case noop
    case videoGenerate = "video_generate"
    case videoFinalize = "video_finalize"
    case videoDemo = "video_demo"
    case videoEdit = "video_edit"
    case imageEdit = "image_edit"
    case thumbnail
    case docConvert = "doc_convert"
    case docExtract = "doc_extract"
    case uploadScan = "upload_scan"
    case paymentsWebhooks = "payments_webhooks"
    case analyticsRollup = "analytics_rollup"
    case cleanup
    case subscriptionRenewals = "subscription_renewals"

    /// Heavy media and office work gets its own queue so it cannot starve payments.
    public var queue: JobQueueName {
        switch self {
        case .videoGenerate, .videoFinalize, .videoDemo, .videoEdit, .imageEdit, .thumbnail: .media
        case .docConvert, .docExtract: .documents
        case .paymentsWebhooks, .subscriptionRenewals: .payments
        case .noop, .uploadScan, .analyticsRollup, .cleanup: .default
        }
    }

    /// `'noop', 'video_generate', …` for the CHECK constraint on `jobs.kind`.
    static var sqlList: String { allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ") }
}

/// The Redis streams jobs travel on.
public enum JobQueueName: String, Sendable, CaseIterable, Codable {
    case `default`, media, documents, payments
}
