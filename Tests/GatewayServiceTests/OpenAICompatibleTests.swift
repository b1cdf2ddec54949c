import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GatewayService

/// The OpenAI-compatible surface answers in OpenAI's own shapes, as its SDKs parse them.
struct OpenAICompatibleTests {
    func request(stream: Bool, includeUsage: Bool = false) -> ByteBuffer {
        var object: [String: Any] = [
            "model": "demo-chat", "stream": stream, "max_tokens": 80,
            "messages": [
                ["role": "system", "content": "أجب بالعربية"],
                ["role": "user", "content": [["type": "text", "text": "ما هي عاصمة الأردن؟"]]],
            ],
        ]
        if includeUsage { object["stream_options"] = ["include_usage": true] }
        return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
    }

    @Test func nonStreamingAnswerIsAChatCompletion() async throws {
        try await GatewayHarness.run { harness, client in
            let (_, headers) = try await harness.user()
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: headers, body: request(stream: false)
            ) {
                response in
                #expect(response.status == .ok)
                let body = json(response)
                #expect(body["object"] as? String == "chat.completion")
                #expect((body["id"] as? String)?.hasPrefix("chatcmpl-") == true)
                let choice = try #require((body["choices"] as? [[String: Any]])?.first)
                let message = try #require(choice["message"] as? [String: Any])
                #expect(message["role"] as? String == "assistant")
                #expect((message["content"] as? String)?.contains("ما هي عاصمة الأردن؟") == true)
                let usage = try #require(body["usage"] as? [String: Int])
                #expect(usage["total_tokens"] == (usage["prompt_tokens"] ?? 0) + (usage["completion_tokens"] ?? 0))
            }
        }
    }

    @Test func streamIsChunksWithUsageThenDone() async throws {
        try await GatewayHarness.run { harness, client in
            let (_, headers) = try await harness.user()
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: headers,
                body: request(stream: true, includeUsage: true)
            ) { response in
                let lines = String(buffer: response.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }
                #expect(lines.last == "data: [DONE]")
                let chunks = lines.dropLast().compactMap { line -> [String: Any]? in
                    guard line.hasPrefix("data: ") else { return nil }
                    return try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any]
                }
                #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
                #expect(Set(chunks.compactMap { $0["id"] as? String }).count == 1)
                let text = chunks.compactMap { chunk -> String? in
                    ((chunk["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
                }.joined()
                #expect(text.contains("ما هي عاصمة الأردن؟"))
                let last = try #require(chunks.last)
                #expect((last["choices"] as? [Any])?.isEmpty == true)
                #expect((last["usage"] as? [String: Int])?["completion_tokens"] ?? 0 > 0)
            }
        }
    }

    @Test func errorsKeepAMessageTheSDKCanRead() async throws {
        try await GatewayHarness.run { harness, client in
            let (_, headers) = try await harness.user(plan: nil)
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: headers, body: request(stream: false)
            ) {
                response in
                #expect(response.status.code == 402)
                let error = try #require(json(response)["error"] as? [String: Any])
                #expect(error["message"] is String && error["code"] as? String == "quota_exceeded")
            }
        }
    }
}
