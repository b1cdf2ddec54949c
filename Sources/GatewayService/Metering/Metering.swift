import Core
import Foundation
import Hummingbird
import Logging

/// Drives one provider stream to its end and settles the reservation with what was produced:
/// the provider's usage when it reports it, otherwise an estimate of what was actually sent.
struct Metering: Sendable {
    let ledger: QuotaLedger
    let reservation: QuotaLedger.Reservation
    let model: CatalogModel
    /// The prompt's UTF-8 size, to estimate input tokens when a stream ends before the provider's usage.
    let promptBytes: Int
    let recorder: ConversationRecorder?
    let logger: Logger

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
            if outcome.text.isEmpty {
                await ledger.release(reservation)
                throw (error as? ProviderError)?.appError ?? error
            }
            outcome.finishReason = "error"
        }
        let billed = cost(outcome)
        let quota = try await ledger.settle(reservation, actual: billed, model: model.id, meta: meta(outcome))
        let conversationID = await recorder?.record(answer: outcome.text, model: model.id)
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
        } catch is CancellationError {
            clientGone = true
        } catch {
            // Writing failed: the client went away.
            clientGone = true
        }
        if outcome.text.isEmpty && (failure != nil || clientGone) {
            await ledger.release(reservation)
        } else {
            let billed = cost(outcome)
            let quota = try await ledger.settle(reservation, actual: billed, model: model.id, meta: meta(outcome))
            let conversationID = await recorder?.record(answer: outcome.text, model: model.id)
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

    func apply(_ event: ChatEvent, to outcome: inout Outcome) {
        switch event {
        case .text(let piece): outcome.text += piece
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
