import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GatewayService

/// A fake provider as the tests see it: what it answers and what it received.
struct FakeUpstream: Sendable {
    let provider: String
    let reply: String
    let input: Int
    let output: Int
    let busyModel: String
    /// Models that break off after the first text, with the error code the client then sees.
    let midErrors: [(model: String, code: String)]
    let calls: @Sendable () -> Int
    let lastRequest: @Sendable () -> RecordedRequest?
}

/// The providers whose formats are checked, so every behaviour runs against each.
enum Upstream: String, CaseIterable, Sendable {
    case anthropic, google

    /// Runs `body` with this provider's fake on loopback and a gateway whose catalogue offers one model
    /// per fake behaviour, each named like its upstream model.
    func run(
        _ body: @escaping @Sendable (FakeUpstream, GatewayHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        switch self {
        case .anthropic:
            let fake = FakeAnthropic()
            let upstream = FakeUpstream(
                provider: rawValue, reply: fake.reply, input: FakeAnthropic.inputTokens,
                output: FakeAnthropic.outputTokens, busyModel: "overloaded-529",
                midErrors: [("mid-error", "provider_busy")], calls: { fake.calls.load(ordering: .relaxed) },
                lastRequest: { fake.lastRequest.withLock { $0 } })
            try await fake.application().test(.live) { client in
                let catalog = try catalogFile(upstream)
                try await GatewayHarness.run(
                    extra: ["MODEL_CATALOG_FILE": catalog], anthropicPort: try #require(client.port)
                ) {
                    try await body(upstream, $0, $1)
                }
            }
        case .google:
            let fake = FakeGemini()
            let upstream = FakeUpstream(
                provider: rawValue, reply: fake.reply, input: FakeGemini.promptTokens,
                output: FakeGemini.candidatesTokens + FakeGemini.thoughtsTokens, busyModel: "busy-429",
                midErrors: [("mid-error", "provider_error"), ("mid-error-sse", "provider_error")],
                calls: { fake.calls.load(ordering: .relaxed) }, lastRequest: { fake.lastRequest.withLock { $0 } })
            try await fake.application().test(.live) { client in
                let catalog = try catalogFile(upstream)
                try await GatewayHarness.run(
                    extra: ["MODEL_CATALOG_FILE": catalog], googlePort: try #require(client.port)
                ) {
                    try await body(upstream, $0, $1)
                }
            }
        }
    }

    private func catalogFile(_ upstream: FakeUpstream) throws -> String {
        let models =
            ["normal", "split-bytes", "fail-500", upstream.busyModel, "truncated"] + upstream.midErrors.map(\.model)
        return try ChatTests.catalogFile(
            models.map {
                #"{"id": "\#($0)", "modality": "chat", "provider": "\#(rawValue)", "upstream": "\#($0)", "name": "M", "name_ar": "م", "unit_cost": 1}"#
            })
    }
}

struct ProviderFormatTests {
    @Test(arguments: Upstream.allCases)
    func arabicSplitIntoSingleBytesComesOutWholeAndUsageIsBilled(_ upstream: Upstream) async throws {
        try await upstream.run { fake, harness, client in
            let (userID, headers) = try await harness.user()
            try await client.execute(
                uri: "/v1/chat/complete", method: .post, headers: headers,
                body: chatBody("مرحبا", model: "split-bytes", stream: true)
            ) { response in
                let events = sseEvents(String(buffer: response.body))
                let text = events.filter { $0.0 == "delta" }.compactMap { $0.1["text"] as? String }.joined()
                #expect(text == fake.reply)
                let done = try #require(events.last { $0.0 == "done" }?.1)
                let usage = try #require(done["usage"] as? [String: Any])
                #expect(usage["input_tokens"] as? Int == fake.input && usage["output_tokens"] as? Int == fake.output)
                #expect(usage["billed"] as? Int == fake.input + fake.output)
                #expect(done["finish_reason"] as? String == "stop" && done["provider"] as? String == fake.provider)
            }
            #expect(try await harness.billedTokens(userID) == Int64(fake.input + fake.output))
            #expect(fake.calls() == 1)
        }
    }

    @Test(arguments: Upstream.allCases)
    func jsonAnswerCarriesTextUsageAndFinishReason(_ upstream: Upstream) async throws {
        try await upstream.run { fake, harness, client in
            let (_, headers) = try await harness.user()
            for (model, reason) in [("normal", "stop"), ("truncated", "length")] {
                try await client.execute(
                    uri: "/v1/chat/complete", method: .post, headers: headers, body: chatBody("hi", model: model)
                ) { response in
                    #expect(response.status == .ok)
                    let answer = json(response)
                    #expect(
                        answer["provider"] as? String == fake.provider && answer["content"] as? String == fake.reply)
                    #expect(answer["finish_reason"] as? String == reason)
                    #expect((answer["usage"] as? [String: Any])?["billed"] as? Int == fake.input + fake.output)
                }
            }
        }
    }

    @Test(arguments: Upstream.allCases)
    func failureAndOverloadMapToGatewayErrorsAndChargeNothing(_ upstream: Upstream) async throws {
        try await upstream.run { fake, harness, client in
            let (userID, headers) = try await harness.user()
            for (model, status, code) in [("fail-500", 502, "provider_error"), (fake.busyModel, 503, "provider_busy")] {
                try await client.execute(
                    uri: "/v1/chat/complete", method: .post, headers: headers, body: chatBody("hi", model: model)
                ) { response in
                    #expect(response.status.code == status, "\(model)")
                    #expect(errorCode(response) == code)
                    if status == 503 { #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 0) }
                    let text = String(buffer: response.body)
                    #expect(!text.contains("error has occurred") && !text.contains("Internal server error"))
                }
            }
            #expect(try await harness.billedTokens(userID) == 0)
        }
    }

    @Test(arguments: Upstream.allCases)
    func midStreamErrorEndsWithAnErrorEventAndBillsOnlyTheText(_ upstream: Upstream) async throws {
        try await upstream.run { fake, harness, client in
            for (model, code) in fake.midErrors {
                let (userID, headers) = try await harness.user()
                try await client.execute(
                    uri: "/v1/chat/complete", method: .post, headers: headers,
                    body: chatBody("hi", model: model, stream: true)
                ) { response in
                    let events = sseEvents(String(buffer: response.body))
                    let text = events.filter { $0.0 == "delta" }.compactMap { $0.1["text"] as? String }.joined()
                    #expect(text == fake.reply.split(separator: " ").first.map(String.init), "\(model)")
                    #expect(!events.contains { $0.0 == "done" })
                    #expect(events.last?.0 == "error")
                    #expect((events.last?.1["error"] as? [String: Any])?["code"] as? String == code, "\(model)")
                }
                let billed = try await harness.billedTokens(userID)
                #expect(billed > 0 && billed < Int64(fake.input + fake.output), "\(model)")
            }
        }
    }

    @Test func systemPromptAndRolesReachAnthropicInItsFormat() async throws {
        try await Upstream.anthropic.run { fake, harness, client in
            let (_, headers) = try await harness.user()
            try await client.execute(
                uri: "/v1/chat/complete", method: .post, headers: headers, body: Self.conversation(model: "normal")
            ) { #expect($0.status == .ok) }
            let sent = try #require(fake.lastRequest())
            #expect(sent.path == "/v1/messages")
            let body = sent.json
            #expect(body["model"] as? String == "normal" && body["stream"] as? Bool == true)
            #expect(body["system"] as? String == "أجب بالعربية.")
            #expect(body["max_tokens"] as? Int == 64)
            let messages = try #require(body["messages"] as? [[String: Any]])
            #expect(messages.map { $0["role"] as? String } == ["user", "assistant", "user"])
            #expect(messages.map { $0["content"] as? String } == ["مرحبا", "أهلًا", "ما عاصمة الأردن؟"])
        }
    }

    @Test func systemPromptAndRolesReachGeminiInItsFormat() async throws {
        try await Upstream.google.run { fake, harness, client in
            let (_, headers) = try await harness.user()
            try await client.execute(
                uri: "/v1/chat/complete", method: .post, headers: headers, body: Self.conversation(model: "normal")
            ) { #expect($0.status == .ok) }
            let sent = try #require(fake.lastRequest())
            #expect(sent.path == "/v1beta/models/normal:streamGenerateContent" && sent.query == "alt=sse")
            let body = sent.json
            let system = (body["systemInstruction"] as? [String: Any])?["parts"] as? [[String: Any]]
            #expect(system?.map { $0["text"] as? String } == ["أجب بالعربية."])
            #expect((body["generationConfig"] as? [String: Any])?["maxOutputTokens"] as? Int == 64)
            let contents = try #require(body["contents"] as? [[String: Any]])
            #expect(contents.map { $0["role"] as? String } == ["user", "model", "user"])
            let texts = contents.map { (($0["parts"] as? [[String: Any]])?.first?["text"]) as? String }
            #expect(texts == ["مرحبا", "أهلًا", "ما عاصمة الأردن؟"])
        }
    }

    static func conversation(model: String) -> ByteBuffer {
        let object: [String: Any] = [
            "model": model, "system": "أجب بالعربية.", "max_tokens": 64,
            "messages": [
                ["role": "user", "content": "مرحبا"], ["role": "assistant", "content": "أهلًا"],
                ["role": "user", "content": "ما عاصمة الأردن؟"],
            ],
        ]
        return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
    }
}
