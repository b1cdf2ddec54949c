import Core
import Foundation
import Hummingbird

/// `POST /v1/chat/completions`: OpenAI's request and response shapes over the same metered path,
/// so the official OpenAI SDKs work with a session token as the API key.
struct OpenAICompatibleRoutes {
    let chat: ChatRoutes

    struct Request: Decodable {
        struct Message: Decodable {
            let role: String
            let content: Content
        }

        /// A string, or OpenAI's list of typed parts (text parts are kept).
        enum Content: Decodable {
            case text(String)

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) {
                    self = .text(text)
                    return
                }
                struct Part: Decodable {
                    let type: String
                    let text: String?
                }
                let parts = try container.decode([Part].self)
                self = .text(parts.filter { $0.type == "text" }.compactMap(\.text).joined(separator: "\n"))
            }

            var text: String {
                switch self {
                case .text(let text): text
                }
            }
        }

        struct StreamOptions: Decodable {
            let includeUsage: Bool?
            enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
        }

        let model: String?
        let messages: [Message]
        let stream: Bool?
        let maxTokens: Int?
        let maxCompletionTokens: Int?
        let streamOptions: StreamOptions?

        enum CodingKeys: String, CodingKey {
            case model, messages, stream
            case maxTokens = "max_tokens"
            case maxCompletionTokens = "max_completion_tokens"
            case streamOptions = "stream_options"
        }
    }

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.post("chat/completions") { request, context -> Response in
            let body = try await request.decode(as: Request.self, context: context)
            let system = body.messages.filter { ["system", "developer"].contains($0.role) }.map(\.content.text)
            let studio = ChatRoutes.CompleteRequest(
                model: body.model,
                messages: body.messages.filter { ["user", "assistant"].contains($0.role) }
                    .map { ChatMessage(role: $0.role, content: $0.content.text) },
                system: system.isEmpty ? nil : system.joined(separator: "\n\n"), stream: body.stream,
                maxTokens: body.maxCompletionTokens ?? body.maxTokens, conversationID: nil)
            let started = try await chat.start(
                studio, user: try context.requireUser(), admission: context.admission, logger: context.logger,
                record: false)
            let id = "chatcmpl-\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
            let created = Int(Date().timeIntervalSince1970)
            if body.stream == true {
                return ChatRoutes.eventStream(
                    started,
                    format: OpenAIStreamFormat(
                        id: id, created: created, includeUsage: body.streamOptions?.includeUsage == true))
            }
            let completion = try await started.meter.collect(started.events)
            let object: [String: Any] = [
                "id": id, "object": "chat.completion", "created": created, "model": completion.model,
                "choices": [
                    [
                        "index": 0,
                        "message": ["role": "assistant", "content": completion.content, "refusal": NSNull()],
                        "finish_reason": completion.finishReason, "logprobs": NSNull(),
                    ]
                ],
                "usage": [
                    "prompt_tokens": completion.usage.inputTokens, "completion_tokens": completion.usage.outputTokens,
                    "total_tokens": completion.usage.inputTokens + completion.usage.outputTokens,
                ],
            ]
            return jsonResponse(.ok, object)
        }
    }

    static func usage(_ outcome: Metering.Outcome) -> [String: Int] {
        let input = outcome.input ?? 0
        let output = outcome.output ?? 0
        return ["prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output]
    }
}
