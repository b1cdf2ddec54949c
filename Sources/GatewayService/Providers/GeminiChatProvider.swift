import AsyncHTTPClient
import Core
import Foundation
import NIOCore

/// Google Gemini `streamGenerateContent` as Server-Sent Events. Usage comes cumulatively on several
/// chunks and the finish reason on the last; both are reported once the stream ends.
struct GeminiChatProvider: ChatProvider {
    let name = "google"
    let apiKey: String
    let baseURL: String
    let client: ProviderClient
    let timeout: TimeAmount

    func stream(_ request: ChatRequest) async throws -> AsyncThrowingStream<ChatEvent, any Error> {
        var body: [String: Any] = [
            "contents": request.messages.map { message -> [String: Any] in
                // Pictures as `inlineData` parts before the text.
                let pictures: [[String: Any]] = message.images.map {
                    ["inlineData": ["mimeType": $0.mimeType, "data": $0.data.base64EncodedString()]]
                }
                return [
                    "role": message.role == "assistant" ? "model" : "user",
                    "parts": pictures + [["text": message.content]],
                ]
            },
            "generationConfig": ["maxOutputTokens": request.maxOutputTokens],
        ]
        if let system = request.system, !system.isEmpty { body["systemInstruction"] = ["parts": [["text": system]]] }
        let path = "/v1beta/models/\(request.upstreamModel):streamGenerateContent?alt=sse"
        let http = try ProviderHTTP.jsonPOST(baseURL, path, headers: [("x-goog-api-key", apiKey)], body: body)
        let response = try await ProviderHTTP.execute(http, client: client, timeout: timeout, provider: name)
        let tally = StreamTally()
        // An error after the stream has started may come as raw JSON lines without `data:`, which the SSE
        // decoder skips; the stream then ends without a finish reason, and the tally fails it.
        return ProviderHTTP.events(from: response.body, provider: name, tally: tally) { event in
            guard let json = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any] else {
                return []
            }
            return try Self.events(in: json, tally: tally)
        }
    }

    static func events(in json: [String: Any], tally: StreamTally) throws -> [ChatEvent] {
        if let error = json["error"] as? [String: Any] {
            let code = error["code"] as? Int ?? 500
            if code == 429 || error["status"] as? String == "RESOURCE_EXHAUSTED" {
                throw ProviderError.overloaded(provider: "google", retryAfter: nil)
            }
            throw ProviderError.unavailable(provider: "google", status: code)
        }
        var out: [ChatEvent] = []
        let candidate = (json["candidates"] as? [[String: Any]])?.first
        let parts = (candidate?["content"] as? [String: Any])?["parts"] as? [[String: Any]] ?? []
        for part in parts where part["thought"] as? Bool != true {
            if let text = part["text"] as? String, !text.isEmpty { out.append(.text(text)) }
        }
        if let usage = json["usageMetadata"] as? [String: Any] {
            // Thinking tokens are counted apart from the answer's but billed as output.
            let output = (usage["candidatesTokenCount"] as? Int ?? 0) + (usage["thoughtsTokenCount"] as? Int ?? 0)
            tally.record(input: usage["promptTokenCount"] as? Int ?? 0, output: output)
        }
        if let reason = candidate?["finishReason"] as? String {
            tally.record(reason: finishReason(reason))
        } else if (json["promptFeedback"] as? [String: Any])?["blockReason"] != nil {
            tally.record(reason: "content_filter")
        }
        return out
    }

    /// Gemini's finish reasons in the gateway's vocabulary, which is OpenAI's.
    static func finishReason(_ reason: String) -> String {
        switch reason {
        case "STOP": "stop"
        case "MAX_TOKENS": "length"
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII": "content_filter"
        default: reason.lowercased()
        }
    }
}
