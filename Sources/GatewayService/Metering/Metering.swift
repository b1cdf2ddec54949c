import Core
import Foundation
import Hummingbird
import Logging
import Tracing

/// Drives one provider stream to its end and settles the reservation with what was produced:
/// the provider's usage when it reports it, otherwise an estimate of what was actually sent.
struct Metering: Sendable {
    let ledger: QuotaLedger
    let reservation: QuotaLedger.Reservation
    let model: CatalogModel
    /// The prompt's UTF-8 size, to estimate input tokens when a stream ends before the provider's usage.
    let promptBytes: Int
    let recorder: ConversationRecorder?
    /// The answering provider's span, ended with the stream; and the request's place in its trace, for
    /// a stream written after the handler returned.
    var providerSpan: (any Span)? = nil
    var scope: Telemetry.Scope = .current
    let logger: Logger
    /// When the provider was called, for the time to the first token.
    var openedAt: ContinuousClock.Instant = .now

    struct Outcome {
        var text = ""
        var input: Int?
        var output: Int?
        var finishReason = "stop"

        /// Tokens to bill: reported usage, or 3 UTF-8 bytes a token for what was produced.
        func tokens(promptBytes: Int) -> Int64 {
            let inputTokens = input ?? (promptBytes + 2) / 3
            let outputTokens = output ?? (text.utf8.count + 2) / 3
            return Int64(inputTokens + outputTokens)
        }
    }

    func cost(_ outcome: Outcome) -> Int64 {
        Int64((Double(outcome.tokens(promptBytes: promptBytes)) * (model.unitCost ?? 1)).rounded(.up))
    }

    func collect(_ stream: AsyncThrowingStream<ChatEvent, any Error>) async throws -> ChatRoutes.Completion {
        var outcome = Outcome()
        do {
            for try await event in stream { apply(event, to: &outcome) }
        } catch {
            endProviderSpan(outcome, error: error)
            if outcome.text.isEmpty {
                await ledger.release(reservation)
                throw (error as? ProviderError)?.appError ?? error
            }
            outcome.finishReason = "error"
        }
        endProviderSpan(outcome, error: nil)
        let billed = cost(outcome)
        let (quota, conversationID) = try await settleAndRecord(outcome, billed: billed)
        return ChatRoutes.Completion(
            model: model.id, provider: model.provider, conversationID: conversationID, content: outcome.text,
            finishReason: outcome.finishReason,
            usage: .init(
                inputTokens: outcome.input ?? 0, outputTokens: outcome.output ?? 0,
                billed: min(billed, reservation.amount)),
            quota: quota)
    }

    /// What a finished stream reports, whatever the format.
    struct Summary {
        let outcome: Outcome
        let billed: Int64
        let quota: QuotaState
        let conversationID: UUID?
    }

    /// Writes the stream in `format` as it arrives, then settles. A provider error after some text
    /// bills what was produced and ends with the format's error; a client that goes away is billed
    /// for what was produced up to then.
    func stream(
        _ stream: AsyncThrowingStream<ChatEvent, any Error>, to writer: inout any ResponseBodyWriter,
        format: any ChatStreamFormat
    ) async throws {
        try await scope.restore { try await write(stream, to: &writer, format: format) }
    }

    private func write(
        _ stream: AsyncThrowingStream<ChatEvent, any Error>, to writer: inout any ResponseBodyWriter,
        format: any ChatStreamFormat
    ) async throws {
        var outcome = Outcome()
        var failure: AppError?
        var clientGone = false
        do {
            if let opening = format.opening(model: model) { try await writer.write(opening) }
            for try await event in stream {
                apply(event, to: &outcome)
                if case .text(let piece) = event {
                    try await writer.write(format.delta(piece, model: model))
                }
            }
        } catch let error as ProviderError {
            failure = error.appError
            outcome.finishReason = "error"
            endProviderSpan(outcome, error: error)
        } catch is CancellationError {
            clientGone = true
        } catch {
            // Writing failed: the client went away.
            clientGone = true
        }
        endProviderSpan(outcome, error: nil)
        if outcome.text.isEmpty && (failure != nil || clientGone) {
            await ledger.release(reservation)
        } else {
            let billed = cost(outcome)
            let (quota, conversationID) = try await settleAndRecord(outcome, billed: billed)
            if failure == nil && !clientGone {
                let summary = Summary(
                    outcome: outcome, billed: min(billed, reservation.amount), quota: quota,
                    conversationID: conversationID)
                try? await writer.write(format.closing(summary, model: model))
            }
        }
        if let failure, !clientGone { try? await writer.write(format.failure(failure)) }
        try? await writer.finish(nil)
    }

    /// Settles and saves the turn in the history: the usage row and the turn in one statement (one round
    /// trip, one commit), beside the counter's move in Redis; the answer waits for both.
    private func settleAndRecord(_ outcome: Outcome, billed: Int64) async throws -> (QuotaState, UUID?) {
        guard let recorder else { return (try await settle(outcome, billed: billed), nil) }
        let (quota, saved) = try await Telemetry.span("quota settle") { span in
            span?.attributes["quota.billed"] = Int(billed)
            return try await ledger.settle(reservation, actual: billed, model: model.id, meta: meta(outcome)) { row in
                try await recorder.record(answer: outcome.text, model: model.id, usage: row)
            }
        }
        if let saved { return (quota, saved) }
        // Nothing billed, so no row was written with the turn: save the turn alone.
        return (quota, await recorder.record(answer: outcome.text, model: model.id))
    }

    /// Settles in a `quota settle` span (its `pg query` and `redis evalsha` below it).
    private func settle(_ outcome: Outcome, billed: Int64) async throws -> QuotaState {
        try await Telemetry.span("quota settle") { span in
            span?.attributes["quota.billed"] = Int(billed)
            return try await ledger.settle(reservation, actual: billed, model: model.id, meta: meta(outcome))
        }
    }

    /// Ends the provider's span once (a second call finds it ended and does nothing) with what it produced.
    private func endProviderSpan(_ outcome: Outcome, error: (any Error)?) {
        guard let span = providerSpan, span.isRecording else { return }
        span.updateAttributes { attributes in
            attributes["gen_ai.usage.input_tokens"] = outcome.input
            attributes["gen_ai.usage.output_tokens"] = outcome.output
            attributes["gen_ai.response.finish_reasons"] = [outcome.finishReason]
        }
        if let error {
            span.fail(error)
        }
        span.end()
    }

    func apply(_ event: ChatEvent, to outcome: inout Outcome) {
        switch event {
        case .text(let piece):
            if outcome.text.isEmpty, let span = providerSpan {
                let elapsed = ContinuousClock.now - openedAt
                let milliseconds =
                    Double(elapsed.components.seconds) * 1000
                    + Double(elapsed.components.attoseconds) / 1e15
                span.attributes["gen_ai.response.time_to_first_token_ms"] = milliseconds
                span.addEvent("first token")
            }
            outcome.text += piece
        case .usage(let input, let output):
            outcome.input = input
            outcome.output = output
        case .finished(let reason): outcome.finishReason = reason
        }
    }

    func meta(_ outcome: Outcome) -> [String: String] {
        ["provider": model.provider, "finish_reason": outcome.finishReason, "upstream": model.upstream]
    }
}
