import Core
import Foundation
import Hummingbird
import Logging
import NIOHTTP1

/// The backend's way to the AI: one non-streamed `POST /v1/chat/complete` on the gateway, made with the user's
/// own session, so the tokens count on their wallet and the gateway's limits, moderation and refusals apply.
struct GatewayClient: Sendable {
    let baseURL: String
    let logger: Logger

    struct Reply: Decodable {
        let model: String
        let provider: String
        let content: String
    }

    func complete(as request: Request, system: String, prompt: String, maxTokens: Int) async throws -> Reply {
        let token =
            request.headers[.authorization].flatMap {
                $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil
            } ?? request.cookies["session"]?.value ?? ""
        let body = try JSONSerialization.data(withJSONObject: [
            "messages": [["role": "user", "content": prompt]], "system": system, "stream": false,
            "max_tokens": maxTokens,
        ])
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer \(token)")
        headers.add(name: "Content-Type", value: "application/json")
        let reply: OutgoingHTTP.Reply
        do {
            reply = try await OutgoingHTTP(defaultTimeout: .seconds(120)).send(
                .POST, "\(baseURL)/v1/chat/complete", headers: headers, body: body)
        } catch {
            logger.error("gateway unreachable", metadata: ["error": "\(error)"])
            throw AppError.serviceUnavailable
        }
        guard reply.status == 200 else {
            // The gateway's own refusal (quota, rate limit, moderation) is passed on as it is.
            throw AppError.fromGateway(status: reply.status, body: reply.body)
        }
        return try JSONDecoder().decode(Reply.self, from: reply.body)
    }

    /// The JSON object in a model's answer (it may be wrapped in prose or a code fence).
    static func jsonObject<T: Decodable>(_ type: T.Type, in content: String) -> T? {
        guard let start = content.firstIndex(of: "{"), let end = content.lastIndex(of: "}"), start < end else {
            return nil
        }
        return try? JSONDecoder().decode(T.self, from: Data(content[start...end].utf8))
    }
}

extension AppError {
    /// A gateway refusal passed through with its code and messages.
    static func fromGateway(status: Int, body: Data) -> AppError {
        struct Envelope: Decodable {
            struct Inner: Decodable {
                let code: String
                let message: String
                let messageAr: String?
                let upgradeURL: String?
                enum CodingKeys: String, CodingKey {
                    case code, message
                    case messageAr = "message_ar"
                    case upgradeURL = "upgrade_url"
                }
            }
            let error: Inner
        }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: body) else { return .serviceUnavailable }
        return AppError(
            code: envelope.error.code, status: .init(code: status), message: envelope.error.message,
            messageAr: envelope.error.messageAr ?? envelope.error.message,
            details: envelope.error.upgradeURL.map { ["upgrade_url": $0] } ?? [:])
    }
}
