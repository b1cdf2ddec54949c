import Core
import Foundation
import Metrics

/// One message of a conversation, as every provider receives it.
struct ChatMessage: Codable, Sendable, Equatable {
    let role: String
    let content: String
    /// Pictures attached to this message (only for models that can see); not part of the request JSON.
    var images: [InputImage] = []

    enum CodingKeys: String, CodingKey { case role, content }
}

/// A chat request after validation, addressed to one upstream model.
struct ChatRequest: Sendable {
    let upstreamModel: String
    let system: String?
    let messages: [ChatMessage]
    let maxOutputTokens: Int
}

/// What a provider's stream yields, in one normalised shape.
enum ChatEvent: Sendable, Equatable {
    case text(String)
    /// Token counts as the provider reports them.
    case usage(input: Int, output: Int)
    case finished(reason: String)
}

/// Why a provider call failed, in the terms the router and the error middleware need.
enum ProviderError: Error, Equatable {
    /// 5xx, or the connection failed: another model may answer.
    case unavailable(provider: String, status: Int)
    /// 429/529: the provider is overloaded; fall back, or tell the user to retry later.
    case overloaded(provider: String, retryAfter: Int?)
    case timeout(provider: String)
    /// The provider refused the request itself (4xx); its message stays in the logs, never in user text.
    case rejected(provider: String, status: Int, message: String)
    /// The provider declined on safety grounds (e.g. IMAGE_SAFETY): the user sees content_blocked.
    case refused(provider: String, reason: String)

    var provider: String {
        switch self {
        case .unavailable(let p, _), .overloaded(let p, _), .timeout(let p), .rejected(let p, _, _), .refused(let p, _):
            p
        }
    }

    /// Whether the next model in the fallback chain should be tried.
    var allowsFallback: Bool {
        switch self {
        case .rejected, .refused: false
        default: true
        }
    }

    var appError: AppError {
        switch self {
        case .timeout(let provider): .providerTimeout(provider)
        case .overloaded(_, let retryAfter):
            AppError(
                code: "provider_busy", status: .serviceUnavailable,
                message: "The AI provider is busy right now. Nothing was charged; please try again shortly.",
                messageAr: "مزوّد الذكاء الاصطناعي مشغول الآن. لم يُخصم شيء، يرجى المحاولة بعد قليل.",
                headers: [.retryAfter: String(retryAfter ?? 10)])
        case .unavailable(let provider, _), .rejected(let provider, _, _): .providerFailure(provider)
        case .refused: .contentBlocked
        }
    }
}

/// A chat backend: OpenAI, Anthropic, Gemini, or the local demo.
protocol ChatProvider: Sendable {
    var name: String { get }
    /// Starts the call; the stream yields text as it arrives, then usage and the finish reason.
    func stream(_ request: ChatRequest) async throws -> AsyncThrowingStream<ChatEvent, any Error>
}

extension ProviderError {
    /// `provider_errors_total{provider, model, reason}`: what CloudWatch's provider panel shows.
    static func count(_ error: ProviderError, model: CatalogModel) {
        let reason =
            switch error {
            case .unavailable: "unavailable"
            case .overloaded: "overloaded"
            case .timeout: "timeout"
            case .rejected: "rejected"
            case .refused: "refused"
            }
        Counter(
            label: "provider_errors_total",
            dimensions: [("provider", model.provider), ("model", model.id), ("reason", reason)]
        ).increment()
    }
}
