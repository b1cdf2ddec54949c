import AsyncHTTPClient
import Core
import Foundation
import NIOCore

/// Anthropic Messages, streamed. Input tokens come with `message_start`, output tokens with the last
/// `message_delta`; both are reported together at `message_stop`.
struct AnthropicChatProvider: ChatProvider {
    let name = "anthropic"
    let apiKey: String
    let baseURL: String
    let client: ProviderClient
    let timeout: TimeAmount

    func stream(_ request: ChatRequest) async throws -> AsyncThrowingStream<ChatEvent, any Error> {
        var body: [String: Any] = [
            "model": request.upstreamModel, "max_tokens": request.maxOutputTokens, "stream": true,
            "messages": request.messages.map { message -> [String: Any] in
                guard !message.images.isEmpty else { return ["role": message.role, "content": message.content] }
                // Pictures as base64 `image` blocks before the text, as Anthropic recommends.
                let blocks: [[String: Any]] =
                    message.images.map {
                        [
                            "type": "image",
                            "source": [
                                "type": "base64", "media_type": $0.mimeType, "data": $0.data.base64EncodedString(),
                            ],
                        ]
                    } + [["type": "text", "text": message.content]]
                return ["role": message.role, "content": blocks]
            },
        ]
        if let system = request.system, !system.isEmpty { body["system"] = system }
        let http = try ProviderHTTP.jsonPOST(
            baseURL, "/v1/messages", headers: [("x-api-key", apiKey), ("anthropic-version", "2023-06-01")], body: body)
        let response = try await ProviderHTTP.execute(http, client: client, timeout: timeout, provider: name)
        let tally = StreamTally()
        return ProviderHTTP.events(from: response.body, provider: name, tally: tally) { event in
            guard let json = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any] else {
                return []
            }
            return try Self.events(in: json, tally: tally)
        }
    }

    static func events(in json: [String: Any], tally: StreamTally) throws -> [ChatEvent] {
        switch json["type"] as? String {
        case "message_start":
            let usage = (json["message"] as? [String: Any])?["usage"] as? [String: Any]
            tally.record(input: usage?["input_tokens"] as? Int)
        case "content_block_delta":
            let delta = json["delta"] as? [String: Any]
            if delta?["type"] as? String == "text_delta", let text = delta?["text"] as? String, !text.isEmpty {
                return [.text(text)]
            }
        case "message_delta":
            // The counts here are cumulative: the last message_delta holds the totals.
            let usage = json["usage"] as? [String: Any]
            let reason = ((json["delta"] as? [String: Any])?["stop_reason"] as? String).map(finishReason)
            tally.record(input: usage?["input_tokens"] as? Int, output: usage?["output_tokens"] as? Int, reason: reason)
        case "message_stop":
            return tally.report()
        case "error":
            let type = (json["error"] as? [String: Any])?["type"] as? String
            if type == "overloaded_error" || type == "rate_limit_error" {
                throw ProviderError.overloaded(provider: "anthropic", retryAfter: nil)
            }
            throw ProviderError.unavailable(provider: "anthropic", status: 500)
        default:
            break
        }
        return []
    }

    /// Anthropic's stop reasons in the gateway's vocabulary, which is OpenAI's.
    static func finishReason(_ stopReason: String) -> String {
        switch stopReason {
        case "end_turn", "stop_sequence": "stop"
        case "max_tokens", "model_context_window_exceeded": "length"
        case "refusal": "content_filter"
        default: stopReason
        }
    }
}
