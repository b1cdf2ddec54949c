import Core
import Foundation
import NIOCore

/// How a chat stream is written on the wire.
protocol ChatStreamFormat: Sendable {
    func opening(model: CatalogModel) -> ByteBuffer?
    func delta(_ text: String, model: CatalogModel) -> ByteBuffer
    func closing(_ summary: Metering.Summary, model: CatalogModel) -> ByteBuffer
    func failure(_ error: AppError) -> ByteBuffer
}

/// The studio's own events: `event: delta` with `{text}`, then `event: done` with usage and quota,
/// or `event: error` with the bilingual error.
struct StudioStreamFormat: ChatStreamFormat {
    func opening(model: CatalogModel) -> ByteBuffer? { nil }

    func delta(_ text: String, model: CatalogModel) -> ByteBuffer { Self.event("delta", ["text": text]) }

    func closing(_ summary: Metering.Summary, model: CatalogModel) -> ByteBuffer {
        var done: [String: Any] = [
            "model": model.id, "provider": model.provider, "finish_reason": summary.outcome.finishReason,
            "usage": ChatRoutes.Usage(
                inputTokens: summary.outcome.input ?? 0, outputTokens: summary.outcome.output ?? 0,
                billed: summary.billed
            ).jsonObject,
            "quota": summary.quota.jsonObject,
        ]
        if let id = summary.conversationID { done["conversation_id"] = id.uuidString.lowercased() }
        return Self.event("done", done)
    }

    func failure(_ error: AppError) -> ByteBuffer {
        Self.event("error", ["error": ["code": error.code, "message": error.message, "message_ar": error.messageAr]])
    }

    static func event(_ name: String, _ object: [String: Any]) -> ByteBuffer {
        ByteBuffer(string: "event: \(name)\ndata: \(jsonText(object))\n\n")
    }
}

/// OpenAI's `chat.completion.chunk` events ending in `data: [DONE]`, so OpenAI SDKs can stream from the gateway.
struct OpenAIStreamFormat: ChatStreamFormat {
    let id: String
    let created: Int
    let includeUsage: Bool

    func chunk(_ model: CatalogModel, choices: [[String: Any]], usage: Any = NSNull()) -> ByteBuffer {
        let object: [String: Any] = [
            "id": id, "object": "chat.completion.chunk", "created": created, "model": model.id, "choices": choices,
            "usage": usage,
        ]
        return ByteBuffer(string: "data: \(jsonText(object))\n\n")
    }

    func opening(model: CatalogModel) -> ByteBuffer? {
        chunk(
            model, choices: [["index": 0, "delta": ["role": "assistant", "content": ""], "finish_reason": NSNull()]])
    }

    func delta(_ text: String, model: CatalogModel) -> ByteBuffer {
        chunk(model, choices: [["index": 0, "delta": ["content": text], "finish_reason": NSNull()]])
    }

    func closing(_ summary: Metering.Summary, model: CatalogModel) -> ByteBuffer {
        var out = chunk(
            model, choices: [["index": 0, "delta": [String: Any](), "finish_reason": summary.outcome.finishReason]])
        if includeUsage {
            var usage = chunk(model, choices: [], usage: OpenAICompatibleRoutes.usage(summary.outcome))
            out.writeBuffer(&usage)
        }
        out.writeString("data: [DONE]\n\n")
        return out
    }

    func failure(_ error: AppError) -> ByteBuffer {
        let object: [String: Any] = ["error": ["message": error.message, "type": "server_error", "code": error.code]]
        return ByteBuffer(string: "data: \(jsonText(object))\n\n")
    }
}

func jsonText(_ object: [String: Any]) -> String {
    String(decoding: (try? JSONWriter.bytes(object)) ?? [], as: UTF8.self)
}
