import Core
import CoreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

struct ErrorMiddlewareTests {
    struct Boom: Error {}

    func app() -> some ApplicationProtocol {
        let router = Router()
        router.addStudioMiddleware()
        router.get("/quota") { _, _ -> String in throw AppError.quotaExceeded(upgradeURL: "/app/account") }
        router.get("/limited") { _, _ -> String in throw AppError.rateLimited(retryAfterSeconds: 17) }
        router.get("/boom") { _, _ -> String in throw Boom() }
        router.post("/json") { request, context -> String in
            struct Body: Decodable { let name: String }
            return try await request.decode(as: Body.self, context: context).name
        }
        return Application(router: router)
    }

    static func error(_ response: TestResponse) -> [String: String] {
        let object =
            try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))
            as? [String: [String: String]]
        return object?["error"] ?? [:]
    }

    @Test func appErrorBecomesBilingualJSON() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/quota", method: .get) { response in
                #expect(response.status.code == 402)
                let error = Self.error(response)
                #expect(error["code"] == "quota_exceeded")
                #expect(error["upgrade_url"] == "/app/account")
                #expect(error["message_ar"]?.contains("رصيد") == true)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            }
            try await client.execute(uri: "/limited", method: .get) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "17")
            }
        }
    }

    @Test func unknownErrorIsA500WithABodyAndATraceparent() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/boom", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(Self.error(response)["code"] == "internal_error")
                #expect(response.headers[.traceparent]?.hasPrefix("00-") == true)
            }
        }
    }

    @Test func unknownRouteAndBadJSONAreClearErrors() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(Self.error(response)["message_ar"] == "غير موجود.")
            }
            try await client.execute(uri: "/json", method: .post, body: ByteBuffer(string: "{not json")) { response in
                #expect(response.status == .badRequest)
                #expect(Self.error(response)["code"] == "validation_failed")
            }
        }
    }

    @Test func incomingTraceIsKeptAndReturned() async throws {
        try await app().test(.router) { client in
            try await client.execute(
                uri: "/quota", method: .get,
                headers: [.traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]
            ) { response in
                let returned = try #require(response.headers[.traceparent]).split(separator: "-")
                #expect(returned[1] == "4bf92f3577b34da6a3ce929d0e0e4736")
                #expect(returned[2] != "00f067aa0ba902b7")
            }
        }
    }
}
