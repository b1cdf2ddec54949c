import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import NIOHTTP1

/// OpenAI Chat Completions, streamed with `stream_options.include_usage`.
struct OpenAIChatProvider: ChatProvider {
    let name = "openai"
    let apiKey: String
    let baseURL: String
    let client: ProviderClient
    let timeout: TimeAmount

    func stream(_ request: ChatRequest) async throws -> AsyncThrowingStream<ChatEvent, any Error> {
        var messages: [[String: Any]] = []
        if let system = request.system { messages.append(["role": "system", "content": system]) }
        messages += request.messages.map { message -> [String: Any] in
            guard !message.images.isEmpty else { return ["role": message.role, "content": message.content] }
            // Pictures as `image_url` content parts with a data URL, after the text.
            let parts: [[String: Any]] =
                [["type": "text", "text": message.content]]
                + message.images.map {
                    [
                        "type": "image_url",
                        "image_url": ["url": "data:\($0.mimeType);base64,\($0.data.base64EncodedString())"],
                    ]
                }
            return ["role": message.role, "content": parts]
        }
        let body: [String: Any] = [
            "model": request.upstreamModel, "messages": messages, "stream": true,
            "stream_options": ["include_usage": true], "max_completion_tokens": request.maxOutputTokens,
        ]
        let http = try ProviderHTTP.jsonPOST(
            baseURL, "/v1/chat/completions", headers: [("Authorization", "Bearer \(apiKey)")], body: body)
        let response = try await ProviderHTTP.execute(http, client: client, timeout: timeout, provider: name)
        return ProviderHTTP.events(from: response.body, provider: name) { event in
            guard event.data != "[DONE]", let chunk = try? JSONValue.parse(event.data) else { return [] }
            if let error = chunk["error"], error.object != nil {
                throw ProviderError.unavailable(provider: "openai", status: error["code"]?.int ?? 500)
            }
            var out: [ChatEvent] = []
            for choice in chunk["choices"]?.array ?? [] {
                if let text = choice["delta"]?["content"]?.string, !text.isEmpty { out.append(.text(text)) }
                if let reason = choice["finish_reason"]?.string { out.append(.finished(reason: reason)) }
            }
            if let usage = chunk["usage"], usage.object != nil {
                out.append(
                    .usage(input: usage["prompt_tokens"]?.int ?? 0, output: usage["completion_tokens"]?.int ?? 0))
            }
            return out
        }
    }
}
