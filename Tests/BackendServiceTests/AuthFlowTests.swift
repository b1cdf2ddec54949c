import Core
import CoreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import BackendService

struct AuthFlowTests {

    @Test func linkSignsInOnceCreatesTheUserAndStartsTheTrial() async throws {
        try await BackendHarness.run(extra: ["SIGNUP_TRIAL_PLAN": "creator", "SIGNUP_TRIAL_DAYS": "30"]) {
            harness, client in
            let session = try await harness.signIn("Lina@Example.JO", locale: "en", client: client)

            try await client.execute(uri: "/v1/auth/me", method: .get, headers: session.headers) { response in
                #expect(response.status == .ok)
                let user = json(response)["user"] as? [String: Any]
                #expect(user?["email"] as? String == "lina@example.jo")
                #expect(user?["locale"] as? String == "en")
            }
            try await client.execute(uri: "/v1/usage/me", method: .get, headers: session.headers) { response in
                let usage = json(response)
                #expect((usage["plan"] as? [String: Any])?["id"] as? String == "creator")
                #expect(usage["subscription_status"] as? String == "trialing")
                #expect((usage["tokens"] as? [String: Any])?["limit"] as? Int == 1_000_000)
            }
            // The same link a second time.
            let token = try harness.latestMail().token
            try await client.execute(
                uri: "/v1/auth/magic-link/verify", method: .post, headers: [.contentType: "application/json"],
                body: body(["token": token])
            ) { response in
                #expect(response.status == .badRequest)
                #expect(errorCode(response) == "token_used")
                #expect(setCookies(response).isEmpty)
            }
        }
    }

    @Test func cookiesAreHttpOnlyLaxAndTheCSRFCookieIsReadable() async throws {
        try await BackendHarness.run { harness, client in
            try await client.execute(
                uri: "/v1/auth/magic-link", method: .post, headers: [.contentType: "application/json"],
                body: body(["email": "sara@example.jo"])
            ) { _ in }
            let token = try harness.latestMail().token
            try await client.execute(
                uri: "/v1/auth/magic-link/verify", method: .post, headers: [.contentType: "application/json"],
                body: body(["token": token])
            ) { response in
                let headers = response.headers[values: .setCookie]
                let session = try #require(headers.first { $0.hasPrefix("session=") })
                let csrf = try #require(headers.first { $0.hasPrefix("csrf_token=") })
                #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax"))
                #expect(!csrf.contains("HttpOnly") && csrf.contains("SameSite=Lax"))
                #expect(json(response)["csrf_token"] as? String == setCookies(response)["csrf_token"])
            }
        }
    }

    @Test func wrongMalformedAndExpiredTokensAreRefusedClearly() async throws {
        try await BackendHarness.run { harness, client in
            let links = MagicLinkRepository(client: harness.postgres, logger: Logger(label: "test"))
            let old = try await links.issue(
                email: "old@example.jo", locale: "ar", ip: "1.2.3.4", ttl: 900, now: Date().addingTimeInterval(-1800))
            let cases: [(String, String)] = [
                (old.token, "token_expired"),
                (Data(repeating: 7, count: 32).base64URLEncoded, "invalid_token"),
                ("not a token!", "invalid_token"),
            ]
            for (token, code) in cases {
                try await client.execute(
                    uri: "/v1/auth/magic-link/verify", method: .post, headers: [.contentType: "application/json"],
                    body: body(["token": token])
                ) { response in
                    #expect(response.status == .badRequest)
                    #expect(errorCode(response) == code)
                }
            }
            #expect(
                try await UserRepository(client: harness.postgres, logger: Logger(label: "t")).find(
                    email: "old@example.jo") == nil)
        }
    }

    @Test func codeWorksAndFiveWrongCodesLockTheLink() async throws {
        try await BackendHarness.run(extra: ["MAGIC_LINK_LIMIT_PER_EMAIL": "50"]) { harness, client in
            let verify = { (email: String, code: String) async throws -> (Int, String?) in
                try await client.execute(
                    uri: "/v1/auth/magic-link/verify", method: .post, headers: [.contentType: "application/json"],
                    body: body(["email": email, "code": code])
                ) { response in (response.status.code, errorCode(response)) }
            }
            try await client.execute(
                uri: "/v1/auth/magic-link", method: .post, headers: [.contentType: "application/json"],
                body: body(["email": "code@example.jo"])
            ) { _ in }
            let code = try harness.latestMail().code
            #expect(try await verify("code@example.jo", code) == (200, nil))

            try await client.execute(
                uri: "/v1/auth/magic-link", method: .post, headers: [.contentType: "application/json"],
                body: body(["email": "lock@example.jo"])
            ) { _ in }
            let right = try harness.latestMail().code
            let wrong = right == "000000" ? "111111" : "000000"
            for _ in 0..<4 { #expect(try await verify("lock@example.jo", wrong) == (400, "invalid_code")) }
            #expect(try await verify("lock@example.jo", wrong) == (400, "token_locked"))
            let afterLock = try await verify("lock@example.jo", right)
            #expect(afterLock == (400, "token_locked"), "\(afterLock)")
            #expect(try await verify("lock@example.jo", "12ab56") == (400, "invalid_code"))
        }
    }

    @Test func unknownAndKnownAddressesGetTheSameAnswer() async throws {
        try await BackendHarness.run { harness, client in
            _ = try await harness.signIn("known@example.jo", client: client)
            var answers: [String] = []
            for email in ["known@example.jo", "nobody-\(UUID().uuidString.prefix(6))@example.jo"] {
                try await client.execute(
                    uri: "/v1/auth/magic-link", method: .post, headers: [.contentType: "application/json"],
                    body: body(["email": email])
                ) { response in
                    #expect(response.status == .accepted)
                    answers.append(String(buffer: response.body))
                }
            }
            #expect(answers.count == 2 && answers[0] == answers[1])
        }
    }

    @Test func requestsBeyondTheLimitGet429WithRetryAfter() async throws {
        try await BackendHarness.run(extra: ["MAGIC_LINK_LIMIT_PER_EMAIL": "2"]) { harness, client in
            var statuses: [Int] = []
            for _ in 0..<3 {
                try await client.execute(
                    uri: "/v1/auth/magic-link", method: .post, headers: [.contentType: "application/json"],
                    body: body(["email": "busy@example.jo"])
                ) { response in
                    statuses.append(response.status.code)
                    if response.status == .tooManyRequests {
                        #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 0)
                        #expect(errorCode(response) == "rate_limited")
                    }
                }
            }
            #expect(statuses == [202, 202, 429])
            #expect(try harness.outbox.recent().count == 2)
        }
    }

    @Test func logoutRevokesTheSession() async throws {
        try await BackendHarness.run { harness, client in
            let session = try await harness.signIn("bye@example.jo", client: client)
            try await client.execute(uri: "/v1/auth/logout", method: .post, headers: session.mutatingHeaders) {
                response in
                #expect(response.status == .ok)
                #expect(setCookies(response)["session"] == "")
            }
            try await client.execute(uri: "/v1/auth/me", method: .get, headers: session.headers) { response in
                #expect(response.status == .unauthorized)
                #expect(errorCode(response) == "unauthenticated")
            }
        }
    }

    @Test func mutatingCookieRequestsNeedTheCSRFHeader() async throws {
        try await BackendHarness.run { harness, client in
            let session = try await harness.signIn("csrf@example.jo", client: client)
            var headers = session.headers
            headers[.contentType] = "application/json"
            try await client.execute(uri: "/v1/auth/me", method: .patch, headers: headers, body: body(["locale": "en"]))
            {
                response in
                #expect(response.status == .forbidden)
                #expect(errorCode(response) == "csrf_failed")
            }
            try await client.execute(uri: "/v1/auth/me", method: .get, headers: session.headers) { response in
                #expect((json(response)["user"] as? [String: Any])?["locale"] as? String == "ar")
            }
            try await client.execute(
                uri: "/v1/auth/me", method: .patch, headers: session.mutatingHeaders,
                body: body(["locale": "en", "digits": "arab"])
            ) { response in
                #expect(response.status == .ok)
                let user = json(response)["user"] as? [String: Any]
                #expect(user?["locale"] as? String == "en" && user?["digits"] as? String == "arab")
            }
            try await client.execute(
                uri: "/v1/auth/me", method: .patch, headers: session.mutatingHeaders, body: body(["digits": "roman"])
            ) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func badInputIsA400AndWritesNothing() async throws {
        try await BackendHarness.run { harness, client in
            let inputs: [(String, ByteBuffer, String)] = [
                ("/v1/auth/magic-link", body(["email": "not-an-address"]), "invalid_email"),
                ("/v1/auth/magic-link", body(["email": "a@b"]), "invalid_email"),
                ("/v1/auth/magic-link", body([:]), "invalid_email"),
                ("/v1/auth/magic-link", body(["email": "ok@example.jo", "locale": "fr"]), "validation_failed"),
                ("/v1/auth/magic-link", ByteBuffer(string: "{oops"), "validation_failed"),
                ("/v1/auth/magic-link/verify", body([:]), "validation_failed"),
            ]
            for (uri, payload, code) in inputs {
                try await client.execute(
                    uri: uri, method: .post, headers: [.contentType: "application/json"], body: payload
                ) {
                    response in
                    #expect(response.status == .badRequest, "\(uri) \(String(buffer: payload))")
                    #expect(errorCode(response) == code)
                }
            }
            let rows = try await harness.postgres.query("SELECT count(*) FROM magic_links", logger: Logger(label: "t"))
            for try await count in rows.decode(Int.self) { #expect(count == 0) }
            #expect(try harness.outbox.recent().isEmpty)
        }
    }

    @Test func signInMailIsArabicFirstAndBilingual() throws {
        let message = MagicLinkMail.message(
            to: "a@b.jo", link: URL(string: "http://studio.test/auth/confirm?token=abc")!, code: "042137", minutes: 15)
        let mime = message.mime(from: "AI Studio <no-reply@studio.test>")

        #expect(mime.contains("Subject: =?UTF-8?B?"))
        #expect(message.text.hasPrefix("مرحبًا"))
        #expect(message.text.contains("042137") && message.text.contains("Or enter this code"))
        #expect(message.html.contains(#"dir="rtl""#) && message.html.contains(#"dir="ltr""#))
        let subjectB64 = try #require(mime.split(separator: "\r\n").first { $0.hasPrefix("Subject:") })
            .dropFirst("Subject: =?UTF-8?B?".count).dropLast(2)
        #expect(String(data: Data(base64Encoded: String(subjectB64))!, encoding: .utf8) == message.subject)
    }
}
