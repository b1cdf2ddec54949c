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

/// HTTP plumbing every provider shares: the JSON request, status mapping and incremental SSE decoding.
enum ProviderHTTP {
    /// A JSON POST to `base` + `path` with the provider's auth headers and the current trace.
    static func jsonPOST(_ base: String, _ path: String, headers: [(String, String)], body: [String: Any]) throws
        -> ProviderRequest
    {
        var request = ProviderRequest(method: .POST, url: base.trimmingSuffix("/") + path)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Content-Type", value: "application/json")
        OutgoingHTTP.addTraceparent(to: &request.headers)
        request.body = ByteBuffer(bytes: try JSONWriter.bytes(body))
        return request
    }

    /// Sends the request through the chat turn's own client (chat providers and moderation).
    static func execute(
        _ request: ProviderRequest, client: ProviderClient, timeout: TimeAmount, provider: String,
        accepting: ClosedRange<Int> = 200...200
    ) async throws -> HTTPClientResponse {
        try await mapped(provider: provider, accepting: accepting) {
            try await client.execute(request, timeout: timeout)
        }
    }

    /// `execute` through AsyncHTTPClient (images and video).
    static func execute(
        _ request: ProviderRequest, client: HTTPClient, timeout: TimeAmount, provider: String,
        accepting: ClosedRange<Int> = 200...200
    ) async throws -> HTTPClientResponse {
        try await execute(
            request.asyncHTTPClientRequest, client: client, timeout: timeout, provider: provider, accepting: accepting)
    }

    static func execute(
        _ request: HTTPClientRequest, client: HTTPClient, timeout: TimeAmount, provider: String,
        accepting: ClosedRange<Int> = 200...200
    ) async throws -> HTTPClientResponse {
        try await mapped(provider: provider, accepting: accepting) {
            try await client.execute(request, timeout: timeout)
        }
    }

    /// Sends with `send` and maps failures: timeouts, 429/529 overload, 5xx, other refusals.
    /// `accepting` lists the success statuses (200 for most calls, 201 for a created resource).
    private static func mapped(
        provider: String, accepting: ClosedRange<Int>, _ send: () async throws -> HTTPClientResponse
    ) async throws -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            response = try await send()
        } catch ProviderClientError.deadlineExceeded {
            throw ProviderError.timeout(provider: provider)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw ProviderError.timeout(provider: provider)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ProviderError.unavailable(provider: provider, status: 0)
        }
        let status = Int(response.status.code)
        guard accepting.contains(status) else {
            let text = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
            let retryAfter = response.headers.first(name: "retry-after").flatMap(Int.init)
            switch status {
            case 429, 529: throw ProviderError.overloaded(provider: provider, retryAfter: retryAfter)
            case 500...: throw ProviderError.unavailable(provider: provider, status: status)
            default: throw ProviderError.rejected(provider: provider, status: status, message: String(text.prefix(500)))
            }
        }
        return response
    }

    /// Decodes the body as SSE and maps each event with `transform`.
    static func events(
        from body: HTTPClientResponse.Body, provider: String,
        transform: @escaping @Sendable (SSEDecoder.Event) throws -> [ChatEvent]
    ) -> AsyncThrowingStream<ChatEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var decoder = SSEDecoder()
                do {
                    for try await chunk in body {
                        for event in decoder.feed(chunk.readableBytesView) {
                            for item in try transform(event) { continuation.yield(item) }
                        }
                    }
                    for event in decoder.finish() {
                        for item in try transform(event) { continuation.yield(item) }
                    }
                    continuation.finish()
                } catch let error as ProviderError {
                    continuation.finish(throwing: error)
                } catch is CancellationError {
                    continuation.finish(throwing: CancellationError())
                } catch {
                    continuation.finish(throwing: ProviderError.unavailable(provider: provider, status: 0))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
