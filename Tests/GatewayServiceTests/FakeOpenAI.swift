import Foundation
import Hummingbird
import Synchronization

/// A fake OpenAI Chat Completions server speaking the real wire format. The requested model picks
/// the behaviour: `split-bytes` sends every byte of the stream as its own chunk, `fail-500` and
/// `busy-429` answer with OpenAI's error shape, `mid-error` breaks off with an error event.
final class FakeOpenAI: Sendable {
    let calls = Atomic<Int>(0)
    let moderationCalls = Atomic<Int>(0)
    /// The `input` of every moderation request, in order.
    let moderationInputs = Mutex<[[String]]>([])
    /// The content of the last user message of the last chat request.
    let lastUserMessage = Mutex<String>("")
    let reply: String

    init(reply: String = "مرحبًا! كيف أساعدك اليوم؟") {
        self.reply = reply
    }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1/moderations") { request, _ -> Response in
            self.moderationCalls.add(1, ordering: .relaxed)
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
            let inputs = json["input"] as? [String] ?? []
            self.moderationInputs.withLock { $0.append(inputs) }
            guard json["model"] as? String == "omni-moderation-latest" else {
                return Self.error(400, "unknown model", type: "invalid_request_error")
            }
            let results = inputs.map { input -> [String: Any] in
                let flagged = input.contains("flag-me")
                return [
                    "flagged": flagged, "categories": ["harassment": false, "violence": flagged],
                    "category_scores": ["harassment": 0.0001, "violence": flagged ? 0.98 : 0.0001],
                ]
            }
            let answer = try JSONSerialization.data(withJSONObject: [
                "id": "modr-1", "model": "omni-moderation-latest", "results": results,
            ])
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        }
        router.post("/v1/chat/completions") { request, context -> Response in
            self.calls.add(1, ordering: .relaxed)
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
            let model = json["model"] as? String ?? ""
            let asked = (json["messages"] as? [[String: Any]] ?? []).last { $0["role"] as? String == "user" }
            // Text as it is; content parts (text and pictures) as their JSON.
            let content =
                asked?["content"] as? String
                ?? (asked?["content"]).flatMap { try? JSONSerialization.data(withJSONObject: $0) }.map {
                    String(decoding: $0, as: UTF8.self)
                } ?? ""
            self.lastUserMessage.withLock { $0 = content }
            guard request.headers[.authorization] == "Bearer sk-test" else {
                return Self.error(401, "Incorrect API key provided", type: "invalid_request_error")
            }
            switch model {
            case "fail-500": return Self.error(500, "The server had an error", type: "server_error")
            case "busy-429":
                var response = Self.error(429, "Rate limit reached", type: "requests")
                response.headers[.retryAfter] = "7"
                return response
            default: break
            }
            let stream = self.events(model: model)
            let splitBytes = model == "split-bytes"
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    let bytes = Array(stream.utf8)
                    if splitBytes {
                        for byte in bytes { try await writer.write(ByteBuffer(bytes: [byte])) }
                    } else {
                        try await writer.write(ByteBuffer(bytes: bytes))
                    }
                    try await writer.finish(nil)
                })
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    func events(model: String) -> String {
        func chunk(_ object: [String: Any]) -> String {
            var full: [String: Any] = [
                "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model,
            ]
            full.merge(object) { _, new in new }
            let data = try! JSONSerialization.data(withJSONObject: full, options: [.sortedKeys])
            return "data: \(String(decoding: data, as: UTF8.self))\n\n"
        }
        var out = chunk([
            "choices": [["index": 0, "delta": ["role": "assistant", "content": ""], "finish_reason": NSNull()]]
        ])
        let words = reply.split(separator: " ", omittingEmptySubsequences: false)
        for (index, word) in words.enumerated() {
            let piece = index == 0 ? String(word) : " " + word
            out += chunk(["choices": [["index": 0, "delta": ["content": piece], "finish_reason": NSNull()]]])
            if model == "mid-error" && index == 0 {
                return out
                    + "data: {\"error\":{\"message\":\"upstream broke\",\"type\":\"server_error\",\"code\":null}}\n\n"
            }
        }
        out += chunk(["choices": [["index": 0, "delta": [:] as [String: Any], "finish_reason": "stop"]]])
        out += chunk([
            "choices": [] as [Any], "usage": ["prompt_tokens": 8, "completion_tokens": 12, "total_tokens": 20],
        ])
        return out + "data: [DONE]\n\n"
    }

    static func error(_ status: Int, _ message: String, type: String) -> Response {
        let body = #"{"error":{"message":"\#(message)","type":"\#(type)","param":null,"code":null}}"#
        return Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
