import AsyncHTTPClient
import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

@testable import GatewayService

/// A gateway on a fresh database, optionally pointed at fake providers on loopback.
struct GatewayHarness: Sendable {
    let postgres: PostgresClient
    let tokens: SessionTokens

    static func run(
        extra: [String: String] = [:], openAIPort: Int? = nil, anthropicPort: Int? = nil, googlePort: Int? = nil,
        _ body: @escaping @Sendable (GatewayHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { client, database in
            var values = ["DEMO_WORD_DELAY_MS": "0"]
            if let openAIPort {
                values["OPENAI_API_KEY"] = "sk-test"
                values["OPENAI_BASE_URL"] = "http://127.0.0.1:\(openAIPort)"
            }
            if let anthropicPort {
                values["ANTHROPIC_API_KEY"] = FakeAnthropic.apiKey
                values["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:\(anthropicPort)"
            }
            if let googlePort {
                values["GOOGLE_API_KEY"] = FakeGemini.apiKey
                values["GOOGLE_BASE_URL"] = "http://127.0.0.1:\(googlePort)"
            }
            values.merge(extra) { _, new in new }
            let settings = try GatewaySettings(TestEnvironment.serviceSource(database: database, extra: values))
            let logger = Logger(label: "gateway-test")
            let tokens = await SessionTokens(secret: settings.jwt.secret, lifetime: 3600)
            let app = try buildApplication(
                settings: settings,
                dependencies: StudioDependencies(database: settings.database, redis: settings.redis, logger: logger),
                tokens: tokens, httpClient: .shared, registry: TestMetrics.registry, logger: logger)
            let harness = GatewayHarness(postgres: client, tokens: tokens)
            try await app.test(.router) { client in try await body(harness, client) }
        }
    }

    /// A user on `plan` (nil: no subscription) with `used` tokens already spent this period; returns its headers.
    func user(plan: String? = "starter", usedTokens: Int64 = 0) async throws -> (UUID, HTTPFields) {
        let logger = Logger(label: "t")
        let user = try await UserRepository(client: postgres, logger: logger)
            .findOrCreate(email: "u-\(UUID().uuidString.prefix(8))@example.jo").user
        if let plan {
            try await UsageRepository(client: postgres, logger: logger).startTrial(
                userID: user.id, planID: plan, days: 30)
        }
        if usedTokens > 0 {
            try await postgres.query(
                "INSERT INTO usage_logs (user_id, kind, amount, model) VALUES (\(user.id), 'tokens', \(usedTokens), 'seed')",
                logger: logger)
        }
        let token = try await tokens.issue(userID: user.id, tokenVersion: user.tokenVersion)
        return (user.id, [.authorization: "Bearer \(token)", .contentType: "application/json"])
    }

    func billedTokens(_ userID: UUID) async throws -> Int64 {
        let rows = try await postgres.query(
            "SELECT COALESCE(sum(amount), 0)::bigint FROM usage_logs WHERE user_id = \(userID) AND model <> 'seed'",
            logger: Logger(label: "t"))
        for try await total in rows.decode(Int64.self) { return total }
        return 0
    }
}

func chatBody(_ text: String, model: String? = nil, stream: Bool = false, maxTokens: Int = 100) -> ByteBuffer {
    var object: [String: Any] = [
        "messages": [["role": "user", "content": text]], "stream": stream, "max_tokens": maxTokens,
    ]
    if let model { object["model"] = model }
    return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
}

func json(_ response: TestResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]) ?? [:]
}

func errorCode(_ response: TestResponse) -> String? {
    (json(response)["error"] as? [String: Any])?["code"] as? String
}

/// Parses an SSE body into (event, JSON data) pairs.
func sseEvents(_ text: String) -> [(String, [String: Any])] {
    text.components(separatedBy: "\n\n").compactMap { block in
        var name = "message"
        var data = ""
        for line in block.split(separator: "\n") {
            if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { data += line.dropFirst(6) }
        }
        guard !data.isEmpty, let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
        else {
            return nil
        }
        return (name, object)
    }
}
