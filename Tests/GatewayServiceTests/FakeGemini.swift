import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A fake Gemini API serving `streamGenerateContent?alt=sse` in the real wire format, with cumulative
/// usage on every chunk. The model in the path picks the behaviour: `split-bytes` sends every byte as
/// its own chunk, `fail-500` and `busy-429` answer with Google's error shape, `mid-error` breaks off
/// after the first text with a raw multi-line JSON error, `mid-error-sse` with an error as a `data:`
/// event, `truncated` stops at `MAX_TOKENS`.
final class FakeGemini: Sendable {
    static let apiKey = "AIza-fake-test"
    static let promptTokens = 9
    static let candidatesTokens = 14
    static let thoughtsTokens = 6
    let calls = Atomic<Int>(0)
    let lastRequest = Mutex<RecordedRequest?>(nil)
    let reply: String

    init(reply: String = "السلام عليكم! كيف يمكنني المساعدة؟") {
        self.reply = reply
    }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1beta/models/{target}") { request, context -> Response in
            self.calls.add(1, ordering: .relaxed)
            let recorded = try await RecordedRequest(request)
            self.lastRequest.withLock { $0 = recorded }
            let target = context.parameters.get("target") ?? ""
            guard target.hasSuffix(":streamGenerateContent"), request.uri.queryParameters["alt"] == "sse" else {
                return Self.error(404, "NOT_FOUND", "Method not found.")
            }
            guard request.headers[HTTPField.Name("x-goog-api-key")!] == Self.apiKey else {
                return Self.error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")
            }
            let model = String(target.dropLast(":streamGenerateContent".count))
            switch model {
            case "fail-500": return Self.error(500, "INTERNAL", "An internal error has occurred.")
            case "busy-429": return Self.error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted.")
            default: break
            }
            let stream = Array(self.events(model: model).utf8)
            let splitBytes = model == "split-bytes"
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    if splitBytes {
                        for byte in stream { try await writer.write(ByteBuffer(bytes: [byte])) }
                    } else {
                        try await writer.write(ByteBuffer(bytes: stream))
                    }
                    try await writer.finish(nil)
                })
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    func events(model: String) -> String {
        func chunk(_ text: String, finish: String? = nil, candidates: Int, thoughts: Int? = nil) -> String {
            var candidate: [String: Any] = ["content": ["role": "model", "parts": [["text": text]]], "index": 0]
            if let finish { candidate["finishReason"] = finish }
            var usage: [String: Any] = [
                "promptTokenCount": Self.promptTokens, "candidatesTokenCount": candidates,
                "totalTokenCount": Self.promptTokens + candidates + (thoughts ?? 0),
                "promptTokensDetails": [["modality": "TEXT", "tokenCount": Self.promptTokens]],
            ]
            if let thoughts { usage["thoughtsTokenCount"] = thoughts }
            let object: [String: Any] = [
                "candidates": [candidate], "usageMetadata": usage, "modelVersion": model, "responseId": "fake-1",
            ]
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return "data: \(String(decoding: data, as: UTF8.self))\r\n\r\n"
        }
        var out = ""
        let words = reply.split(separator: " ", omittingEmptySubsequences: false)
        for (index, word) in words.enumerated() {
            out += chunk(index == 0 ? String(word) : " " + word, candidates: index + 1, thoughts: Self.thoughtsTokens)
            if model == "mid-error" && index == 0 {
                return out
                    + "{\n  \"error\": {\n    \"code\": 500,\n    \"message\": \"An internal error has occurred.\",\n"
                    + "    \"status\": \"INTERNAL\"\n  }\n}\n"
            }
            if model == "mid-error-sse" && index == 0 {
                return out
                    + "data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}"
                    + "\r\n\r\n"
            }
        }
        let finish = model == "truncated" ? "MAX_TOKENS" : "STOP"
        return out + chunk("", finish: finish, candidates: Self.candidatesTokens, thoughts: Self.thoughtsTokens)
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> Response {
        var details = ""
        if status == 429 {
            details = #","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"27s"}]"#
        }
        let body = #"{"error":{"code":\#(status),"message":"\#(message)","status":"\#(code)"\#(details)}}"#
        return Response(
            status: .init(code: status), headers: [.contentType: "application/json; charset=UTF-8"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
