import AsyncHTTPClient
import Synchronization

/// Usage and the finish reason, which some providers spread over several events: gathered while the
/// stream runs and reported once, after the text.
final class StreamTally: Sendable {
    private struct State {
        var input: Int?
        var output: Int?
        var reason: String?
        var reported = false
    }

    private let state = Mutex(State())

    /// Keeps the counts and reason given; a later value replaces an earlier one.
    func record(input: Int? = nil, output: Int? = nil, reason: String? = nil) {
        state.withLock {
            $0.input = input ?? $0.input
            $0.output = output ?? $0.output
            $0.reason = reason ?? $0.reason
        }
    }

    /// The usage (when both counts are known) and the finish reason, the first time only.
    func report() -> [ChatEvent] {
        state.withLock { state in
            guard !state.reported else { return [] }
            state.reported = true
            var events: [ChatEvent] = []
            if let input = state.input, let output = state.output {
                events.append(.usage(input: input, output: output))
            }
            if let reason = state.reason { events.append(.finished(reason: reason)) }
            return events
        }
    }

    /// What is still to report when the stream ends. A stream that ends before the provider said why it
    /// stopped was cut off, and fails.
    func finish(provider: String) throws -> [ChatEvent] {
        let complete = state.withLock { $0.reported || $0.reason != nil }
        guard complete else { throw ProviderError.unavailable(provider: provider, status: 0) }
        return report()
    }
}

extension ProviderHTTP {
    /// `events(from:provider:transform:)` for formats whose usage and finish reason `transform` records
    /// in `tally`: whatever it has not reported yet follows the last event.
    static func events(
        from body: HTTPClientResponse.Body, provider: String, tally: StreamTally,
        transform: @escaping @Sendable (SSEDecoder.Event) throws -> [ChatEvent]
    ) -> AsyncThrowingStream<ChatEvent, any Error> {
        events(from: body, provider: provider, atEnd: { try tally.finish(provider: provider) }, transform: transform)
    }
}
