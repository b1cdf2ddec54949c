import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A fake Anthropic Messages server speaking the real wire format. The requested model picks the
/// behaviour: `split-bytes` sends every byte of the stream as its own chunk, `fail-500` and
/// `overloaded-529` answer with Anthropic's error shape, `mid-error` breaks off with an
/// `overloaded_error` event after the first text, `truncated` stops at `max_tokens`.
final class FakeAnthropic: Sendable {
    static let apiKey = "sk-ant-test"
    static let inputTokens = 25
    static let outputTokens = 15
    let calls = Atomic<Int>(0)
    let lastRequest = Mutex<RecordedRequest?>(nil)
    let reply: String

    init(reply: String = "أهلًا وسهلًا! بماذا أخدمك؟") {
        self.reply = reply
    }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1/messages") { request, _ -> Response in
            self.calls.add(1, ordering: .relaxed)
            let recorded = try await RecordedRequest(request)
            self.lastRequest.withLock { $0 = recorded }
            guard request.headers[HTTPField.Name("x-api-key")!] == Self.apiKey else {
                return Self.error(401, "authentication_error", "invalid x-api-key")
            }
            guard request.headers[HTTPField.Name("anthropic-version")!] == "2023-06-01" else {
                return Self.error(400, "invalid_request_error", "anthropic-version: header is required")
            }
            let model = recorded.json["model"] as? String ?? ""
            switch model {
            case "fail-500": return Self.error(500, "api_error", "Internal server error")
            case "overloaded-529": return Self.error(529, "overloaded_error", "Overloaded")
            default: break
            }
            let stream = Array(self.events(model: model).utf8)
            let splitBytes = model == "split-bytes"
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", Self.requestID: "req_fake"],
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
        func event(_ name: String, _ object: [String: Any]) -> String {
            var full = object
            full["type"] = name
            let data = try! JSONSerialization.data(withJSONObject: full, options: [.sortedKeys])
            return "event: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
        }
        var out = event(
            "message_start",
            [
                "message": [
                    "id": "msg_fake", "type": "message", "role": "assistant", "content": [] as [Any], "model": model,
                    "stop_reason": NSNull(), "stop_sequence": NSNull(),
                    "usage": [
                        "input_tokens": Self.inputTokens, "output_tokens": 1, "cache_creation_input_tokens": 0,
                        "cache_read_input_tokens": 0, "service_tier": "standard",
                    ],
                ]
            ])
        out += event("content_block_start", ["index": 0, "content_block": ["type": "text", "text": ""]])
        out += event("ping", [:])
        let words = reply.split(separator: " ", omittingEmptySubsequences: false)
        for (index, word) in words.enumerated() {
            let piece = index == 0 ? String(word) : " " + word
            out += event("content_block_delta", ["index": 0, "delta": ["type": "text_delta", "text": piece]])
            if model == "mid-error" && index == 0 {
                return out + event("error", ["error": ["type": "overloaded_error", "message": "Overloaded"]])
            }
        }
        out += event("content_block_stop", ["index": 0])
        out += event(
            "message_delta",
            [
                "delta": ["stop_reason": model == "truncated" ? "max_tokens" : "end_turn", "stop_sequence": NSNull()],
                "usage": ["output_tokens": Self.outputTokens],
            ])
        return out + event("message_stop", [:])
    }

    static let requestID = HTTPField.Name("request-id")!

    static func error(_ status: Int, _ type: String, _ message: String) -> Response {
        let body = #"{"type":"error","error":{"type":"\#(type)","message":"\#(message)"},"request_id":"req_fake"}"#
        return Response(
            status: .init(code: status), headers: [.contentType: "application/json", requestID: "req_fake"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// One request as a fake provider received it.
struct RecordedRequest: Sendable {
    let path: String
    let query: String?
    let body: Data

    init(_ request: Request) async throws {
        path = request.uri.path
        query = request.uri.query
        body = Data(try await request.body.collect(upTo: 1 << 20).readableBytesView)
    }

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
}
