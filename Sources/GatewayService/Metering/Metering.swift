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
        return ChatRoutes.Completion(
            model: model.id, provider: model.provider, content: outcome.text, finishReason: outcome.finishReason,
            usage: .init(
                inputTokens: outcome.input ?? 0, outputTokens: outcome.output ?? 0,
                billed: min(billed, reservation.amount)),
            quota: quota)
    }

    /// Writes `event: delta` per piece of text, then `event: done` with usage and quota (or `event: error`).
    /// A client that goes away is billed for what was produced up to then.
    func stream(_ stream: AsyncThrowingStream<ChatEvent, any Error>, to writer: inout any ResponseBodyWriter)
        async throws
    {
        var outcome = Outcome()
        var failure: AppError?
        var clientGone = false
        do {
            for try await event in stream {
                apply(event, to: &outcome)
                if case .text(let piece) = event {
                    do {
                        try await writer.write(Self.sse("delta", ["text": piece]))
                    } catch {
                        clientGone = true
                        break
                    }
                }
            }
        } catch {
            failure = (error as? ProviderError)?.appError ?? .providerFailure(model.provider)
            outcome.finishReason = "error"
        }
        if outcome.text.isEmpty && (failure != nil || clientGone) {
            await ledger.release(reservation)
        } else {
            let billed = cost(outcome)
            let quota = try await ledger.settle(reservation, actual: billed, model: model.id, meta: meta(outcome))
            if failure == nil && !clientGone {
                let done: [String: Any] = [
                    "model": model.id, "provider": model.provider, "finish_reason": outcome.finishReason,
                    "usage": [
                        "input_tokens": outcome.input ?? 0, "output_tokens": outcome.output ?? 0,
                        "billed": min(billed, reservation.amount),
                    ],
                    "quota": [
                        "kind": quota.kind, "used": quota.used, "limit": quota.limit, "percent": quota.percent,
                        "warn": quota.warn, "blocked": quota.blocked,
                    ],
                ]
                try? await writer.write(Self.sse("done", done))
            }
        }
        if let failure, !clientGone {
            try? await writer.write(
                Self.sse(
                    "error",
                    ["error": ["code": failure.code, "message": failure.message, "message_ar": failure.messageAr]]))
        }
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

    static func sse(_ event: String, _ object: [String: Any]) -> ByteBuffer {
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
        return ByteBuffer(string: "event: \(event)\ndata: \(String(decoding: data, as: UTF8.self))\n\n")
    }
}
