import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

@testable import BackendService

/// A backend on a fresh database and Redis prefix, with its mail going to a temporary outbox.
struct BackendHarness: Sendable {
    let postgres: PostgresClient
    let outbox: OutboxMailer
    let settings: BackendSettings

    static func run(
        extra: [String: String] = [:], logs: LogCapture? = nil,
        _ body: @escaping @Sendable (BackendHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { client, database in
            let outboxDirectory = URL(fileURLWithPath: NSTemporaryDirectory())
                .appendingPathComponent("outbox-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: outboxDirectory) }
            var values = ["OUTBOX_DIR": outboxDirectory.path, "BASE_URL": "http://studio.test"]
            values.merge(extra) { _, new in new }
            let settings = try BackendSettings(TestEnvironment.serviceSource(database: database, extra: values))
            let logger = logs?.logger(service: "backend") ?? Logger(label: "backend-test")
            let outbox = OutboxMailer(
                directory: outboxDirectory, from: "AI Studio <no-reply@studio.test>", logger: logger)
            let tokens = await SessionTokens(secret: settings.jwt.secret, lifetime: 3600)
            let app = buildApplication(
                settings: settings,
                dependencies: StudioDependencies(database: settings.database, redis: settings.redis, logger: logger),
                tokens: tokens, mailer: outbox, registry: TestMetrics.registry, logger: logger)
            let harness = BackendHarness(postgres: client, outbox: outbox, settings: settings)
            try await app.test(.router) { client in try await body(harness, client) }
        }
    }

    /// The newest sign-in mail's token (from its link) and code.
    func latestMail() throws -> (to: String, token: String, code: String) {
        let entry = try #require(try outbox.recent().first)
        let link = try #require(entry.notes["link"].flatMap(URLComponents.init(string:)))
        let token = try #require(link.queryItems?.first { $0.name == "token" }?.value)
        return (entry.to, token, try #require(entry.notes["code"]))
    }
}

/// The cookies a response sets, by name.
func setCookies(_ response: TestResponse) -> [String: String] {
    var cookies: [String: String] = [:]
    for header in response.headers[values: .setCookie] {
        guard let pair = header.split(separator: ";").first, let eq = pair.firstIndex(of: "=") else { continue }
        cookies[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
    }
    return cookies
}

func json(_ response: TestResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]) ?? [:]
}

func errorCode(_ response: TestResponse) -> String? {
    (json(response)["error"] as? [String: Any])?["code"] as? String
}

func body(_ object: [String: Any]) -> ByteBuffer {
    ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
}

/// A signed-in browser: its cookies and CSRF token.
struct Session: Sendable {
    let cookie: String
    let csrf: String
    let userID: String

    var headers: HTTPFields { [.cookie: cookie] }
    var mutatingHeaders: HTTPFields {
        [
            .cookie: cookie, SessionAuthenticator<BackendRequestContext>.csrfHeader: csrf,
            .contentType: "application/json",
        ]
    }
}

extension BackendHarness {
    /// Requests a link for `email`, spends it, and returns the session.
    func signIn(_ email: String, locale: String = "ar", client: any TestClientProtocol) async throws -> Session {
        try await client.execute(
            uri: "/v1/auth/magic-link", method: .post, headers: [.contentType: "application/json"],
            body: body(["email": email, "locale": locale])
        ) { response in #expect(response.status == .accepted) }
        let token = try latestMail().token
        return try await client.execute(
            uri: "/v1/auth/magic-link/verify", method: .post, headers: [.contentType: "application/json"],
            body: body(["token": token])
        ) { response in
            #expect(response.status == .ok)
            let cookies = setCookies(response)
            let user = try #require(json(response)["user"] as? [String: Any])
            return Session(
                cookie: "session=\(cookies["session"] ?? ""); csrf_token=\(cookies["csrf_token"] ?? "")",
                csrf: cookies["csrf_token"] ?? "", userID: user["id"] as? String ?? "")
        }
    }
}
