import AsyncHTTPClient
import Core
import Foundation
import NIOCore

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

    /// Sends the request and maps failures: timeouts, 429/529 overload, 5xx, other refusals.
    /// `accepting` lists the success statuses (200 for most calls, 201 for a created resource).
    static func execute(
        _ request: ProviderRequest, client: some ProviderTransport, timeout: TimeAmount, provider: String,
        accepting: ClosedRange<Int> = 200...200
    ) async throws -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
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

    /// Decodes the body as SSE and maps each event with `transform`, as the reader asks for them: no task
    /// of its own, and nothing read from the provider before the reader wants it. `atEnd` gives what is
    /// still to report once the body has ended.
    static func events(
        from body: HTTPClientResponse.Body, provider: String,
        atEnd: (@Sendable () throws -> [ChatEvent])? = nil,
        transform: @escaping @Sendable (SSEDecoder.Event) throws -> [ChatEvent]
    ) -> AsyncThrowingStream<ChatEvent, any Error> {
        let reader = SSEEventReader(body: body, provider: provider, atEnd: atEnd, transform: transform)
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }
}

/// The state behind `ProviderHTTP.events`. `AsyncThrowingStream(unfolding:)` calls `next()` from one
/// reader at a time and never twice at once, which is what makes the unchecked `Sendable` hold.
final class SSEEventReader: @unchecked Sendable {
    private var body: HTTPClientResponse.Body.AsyncIterator
    private var decoder = SSEDecoder()
    private var ready: [ChatEvent] = []
    private var taken = 0
    private var ended = false
    /// Where the stream failed, given after the events decoded before it.
    private var failure: (any Error)?
    private let provider: String
    private let atEnd: (@Sendable () throws -> [ChatEvent])?
    private let transform: @Sendable (SSEDecoder.Event) throws -> [ChatEvent]

    init(
        body: HTTPClientResponse.Body, provider: String, atEnd: (@Sendable () throws -> [ChatEvent])?,
        transform: @escaping @Sendable (SSEDecoder.Event) throws -> [ChatEvent]
    ) {
        self.body = body.makeAsyncIterator()
        self.provider = provider
        self.atEnd = atEnd
        self.transform = transform
    }

    func next() async throws -> ChatEvent? {
        while taken == ready.count {
            if let failure {
                self.failure = nil
                throw failure
            }
            guard !ended else { return nil }
            ready.removeAll(keepingCapacity: true)
            taken = 0
            do {
                if let chunk = try await body.next() {
                    for event in decoder.feed(chunk.readableBytesView) { ready += try transform(event) }
                } else {
                    ended = true
                    for event in decoder.finish() { ready += try transform(event) }
                    try Task.checkCancellation()
                    if let atEnd { ready += try atEnd() }
                }
            } catch {
                ended = true
                switch error {
                case is ProviderError: failure = error
                case is CancellationError: failure = CancellationError()
                default: failure = ProviderError.unavailable(provider: provider, status: 0)
                }
            }
        }
        defer { taken += 1 }
        return ready[taken]
    }
}
