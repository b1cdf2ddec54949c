import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import GatewayService

/// Runs `body` with a fake OpenAI listening on loopback.
func withFakeOpenAI(
    _ fake: FakeOpenAI = FakeOpenAI(), _ body: @escaping @Sendable (FakeOpenAI, Int) async throws -> Void
)
    async throws
{
    try await fake.application().test(.live) { client in
        try await body(fake, try #require(client.port))
    }
}

struct ChatTests {
    @Test func catalogueOffersTheDemoWhenNoKeyIsSet() async throws {
        try await GatewayHarness.run { _, client in
            try await client.execute(uri: "/v1/models", method: .get) { response in
                let chat = try #require(json(response)["chat"] as? [[String: Any]])
                let demo = try #require(chat.first { $0["id"] as? String == "demo-chat" })
                #expect(
                    demo["available"] as? Bool == true && demo["default"] as? Bool == true
                        && demo["demo"] as? Bool == true)
                #expect(chat.first { $0["id"] as? String == "gpt-4o" }?["available"] as? Bool == false)
                #expect(
                    chat.first { $0["id"] as? String == "claude-sonnet-4.5" }?["name_ar"] as? String == "كلود سونيت 4.5"
                )
            }
        }
    }

    @Test func demoStreamsAndTheMeterMoves() async throws {
        try await GatewayHarness.run { harness, client in
            let (userID, headers) = try await harness.user()
            try await client.execute(
                uri: "/v1/chat/complete", method: .post, headers: headers,
                body: chatBody("ما هي عاصمة الأردن؟", stream: true)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/event-stream") == true)
                let events = sseEvents(String(buffer: response.body))
                let text = events.filter { $0.0 == "delta" }.compactMap { $0.1["text"] as? String }.joined()
                #expect(text.contains("ما هي عاصمة الأردن؟"))
                let done = try #require(events.last { $0.0 == "done" }?.1)
                #expect(done["model"] as? String == "demo-chat")
                let quota = try #require(done["quota"] as? [String: Any])
                #expect(quota["limit"] as? Int == 150_000 && (quota["used"] as? Int ?? 0) > 0)
            }
            #expect(try await harness.billedTokens(userID) > 0)
        }
    }

    @Test func openAIStreamSplitIntoSingleBytesKeepsArabicWhole() async throws {
        try await withFakeOpenAI { fake, port in
            let catalog = try Self.catalogFile([
                #"{"id": "split", "modality": "chat", "provider": "openai", "upstream": "split-bytes", "name": "S", "name_ar": "س", "unit_cost": 1}"#
            ])
            try await GatewayHarness.run(extra: ["MODEL_CATALOG_FILE": catalog], openAIPort: port) { harness, client in
                let (userID, headers) = try await harness.user()
                try await client.execute(
                    uri: "/v1/chat/complete", method: .post, headers: headers,
                    body: chatBody("مرحبا", model: "split", stream: true)
                ) { response in
                    let events = sseEvents(String(buffer: response.body))
                    let text = events.filter { $0.0 == "delta" }.compactMap { $0.1["text"] as? String }.joined()
                    #expect(text == fake.reply)
                    let usage = try #require(events.last { $0.0 == "done" }?.1["usage"] as? [String: Any])
                    #expect(usage["input_tokens"] as? Int == 8 && usage["output_tokens"] as? Int == 12)
                    #expect(usage["billed"] as? Int == 20)
                }
                #expect(try await harness.billedTokens(userID) == 20)
                #expect(fake.calls.load(ordering: .relaxed) == 1)
            }
        }
    }

    @Test func jsonAnswerCarriesUsageAndQuota() async throws {
        try await withFakeOpenAI { fake, port in
            try await GatewayHarness.run(openAIPort: port) { harness, client in
                let (_, headers) = try await harness.user()
                try await client.execute(
                    uri: "/v1/chat/complete", method: .post, headers: headers, body: chatBody("hi")
                ) {
                    response in
                    #expect(response.status == .ok)
                    let answer = json(response)
                    #expect(answer["model"] as? String == "gpt-4o" && answer["provider"] as? String == "openai")
                    #expect(answer["content"] as? String == fake.reply)
                    #expect((answer["usage"] as? [String: Any])?["billed"] as? Int == 20)
                    #expect(response.headers[UserRateLimitMiddleware.limitHeader] == "60")
                }
            }
        }
    }

    @Test func noPlanOrNoQuotaIs402BeforeAnyProviderCall() async throws {
        try await withFakeOpenAI { fake, port in
            try await GatewayHarness.run(openAIPort: port) { harness, client in
                let (_, nobody) = try await harness.user(plan: nil)
                let (_, spent) = try await harness.user(usedTokens: 150_000)
                for headers in [nobody, spent] {
                    try await client.execute(
                        uri: "/v1/chat/complete", method: .post, headers: headers, body: chatBody("hi")
                    ) {
                        response in
                        #expect(response.status.code == 402)
                        #expect(errorCode(response) == "quota_exceeded")
                        #expect(
                            (json(response)["error"] as? [String: Any])?["upgrade_url"] as? String
                                == "http://127.0.0.1:8080/app/account")
                    }
                }
                #expect(fake.calls.load(ordering: .relaxed) == 0)
            }
        }
    }

    @Test func aPromptLongerThanThePlanAllowsIs402UnlessThePlanHasLongPrompts() async throws {
        try await withFakeOpenAI { fake, port in
            try await GatewayHarness.run(openAIPort: port) { harness, client in
                // About 10,000 tokens of Arabic: over Starter's 8,000, within Creator's 128,000 and the model's.
                let long = String(repeating: "هذه جملة عربية طويلة للاختبار. ", count: 1_400)
                let (starterID, starter) = try await harness.user(plan: "starter")
                for uri in ["/v1/chat/complete", "/v1/chat/completions"] {
                    try await client.execute(uri: uri, method: .post, headers: starter, body: chatBody(long)) {
                        response in
                        #expect(response.status.code == 402)
                        #expect(errorCode(response) == "plan_feature_required")
                        let error = json(response)["error"] as? [String: Any]
                        #expect(error?["max_input_tokens"] as? String == "8000" && error?["upgrade_url"] != nil)
                        #expect((error?["message_ar"] as? String)?.contains("أطول مما تسمح به خطتك") == true)
                    }
                }
                #expect(fake.calls.load(ordering: .relaxed) == 0)
                #expect(try await harness.billedTokens(starterID) == 0)
                let (_, creator) = try await harness.user(plan: "creator")
                try await client.execute(
                    uri: "/v1/chat/complete", method: .post, headers: creator, body: chatBody(long)
                ) {
                    #expect($0.status == .ok)
                }
                #expect(fake.calls.load(ordering: .relaxed) == 1)
            }
        }
    }

    @Test func attachedDocumentsReachTheModelTrimmedToThePlanAndOnlyTheUsersOwn() async throws {
        try await withFakeOpenAI { fake, port in
            try await GatewayHarness.run(openAIPort: port) { harness, client in
                let logger = Logger(label: "t")
                let files = FileRepository(client: harness.postgres, logger: logger)
                let texts = FileTextRepository(client: harness.postgres, logger: logger)
                let (userID, headers) = try await harness.user(plan: "starter")
                func document(_ name: String, _ text: String, type: FileType = .pdf, read: Bool = true) async throws
                    -> UUID
                {
                    let id = UUID()
                    _ = try await files.createReady(
                        id: id, userID: userID, type: type, key: "k-\(id)", bytes: 1, name: name)
                    if read { try await texts.store(FileText(fileID: id, pages: [text], ocrPages: [])) }
                    return id
                }
                func ask(_ ids: [UUID], as who: HTTPFields) async throws -> (Int, String?) {
                    let body: [String: Any] = [
                        "model": "gpt-4o", "messages": [["role": "user", "content": "لخّص المرفق"]],
                        "attachments": ids.map(\.uuidString),
                    ]
                    return try await client.execute(
                        uri: "/v1/chat/complete", method: .post, headers: who,
                        body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
                    ) { ($0.status.code, $0.headers[ChatRoutes.attachmentTrimmedHeader]) }
                }
                let small = try await document("تقرير.pdf", "المبيعات نمت في عمّان بنسبة 12٪.")
                let (status, trimmed) = try await ask([small], as: headers)
                #expect(status == 200 && trimmed == nil)
                let sent = fake.lastUserMessage.withLock { $0 }
                #expect(
                    sent.contains("المبيعات نمت في عمّان") && sent.contains("تقرير.pdf") && sent.hasSuffix("لخّص المرفق"))

                // 60,000 bytes of text against Starter's 8,000 tokens: cut to fit, and the answer says so.
                let big = try await document("كتاب.pdf", String(repeating: "نص طويل جدًا ", count: 2_500))
                let (bigStatus, bigTrimmed) = try await ask([big], as: headers)
                #expect(bigStatus == 200 && bigTrimmed == "1")
                let cut = fake.lastUserMessage.withLock { $0 }
                #expect(cut.utf8.count <= 8_000 * 4 && cut.contains(#"trimmed="true""#))

                let clip = try await document("مقطع.mp4", "", type: .mp4, read: false)
                #expect(try await ask([clip], as: headers).0 == 422)
                let unread = try await document("جديد.pdf", "", read: false)
                #expect(try await ask([unread], as: headers).0 == 409)
                let (_, stranger) = try await harness.user()
                #expect(try await ask([small], as: stranger).0 == 404)
                #expect(fake.calls.load(ordering: .relaxed) == 2)
                // The history keeps the question and the document's name, not its text.
                let rows = try await harness.postgres.query(
                    "SELECT content FROM messages WHERE role = 'user' ORDER BY created_at LIMIT 1", logger: logger)
                for try await content in rows.decode(String.self) {
                    #expect(content == "لخّص المرفق\n📎 تقرير.pdf")
                }
            }
        }
    }

    @Test func picturesReachVisionModelsInEachProvidersFormatAndOthersSaySoClearly() async throws {
        let storage = NSTemporaryDirectory() + "chat-pictures-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        let anthropic = FakeAnthropic()
        let gemini = FakeGemini()
        try await withFakeOpenAI { fake, openAIPort in
            try await anthropic.application().test(.live) { anthropicLive in
                try await gemini.application().test(.live) { geminiLive in
                    try await GatewayHarness.run(
                        extra: ["STORAGE_DIR": storage], openAIPort: openAIPort, anthropicPort: anthropicLive.port,
                        googlePort: geminiLive.port
                    ) { harness, client in
                        let (userID, headers) = try await harness.user(plan: "creator")
                        let png = try #require(Data(base64Encoded: FakeNanoBanana.png))
                        let id = UUID()
                        let key = "users/\(userID.uuidString.lowercased())/\(id.uuidString.lowercased()).png"
                        try FileManager.default.createDirectory(
                            atPath: storage + "/assets/users/\(userID.uuidString.lowercased())",
                            withIntermediateDirectories: true)
                        try png.write(to: URL(fileURLWithPath: storage + "/assets/" + key))
                        _ = try await FileRepository(client: harness.postgres, logger: Logger(label: "t")).createReady(
                            id: id, userID: userID, type: .png, key: key, bytes: Int64(png.count), name: "صورة.png")
                        func ask(_ model: String) async throws -> Int {
                            let body: [String: Any] = [
                                "model": model, "messages": [["role": "user", "content": "ماذا في الصورة؟"]],
                                "attachments": [id.uuidString],
                            ]
                            return try await client.execute(
                                uri: "/v1/chat/complete", method: .post, headers: headers,
                                body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
                            ) { Int($0.status.code) }
                        }
                        let base64 = png.base64EncodedString()
                        #expect(try await ask("gpt-4o") == 200)
                        let openAI = fake.lastUserMessage.withLock { $0 }
                        #expect(
                            openAI.contains(#""type":"image_url""#)
                                && openAI.contains(#"data:image\/png;base64,"# + base64))
                        #expect(try await ask("claude-sonnet-4.5") == 200)
                        let claude = String(
                            decoding: anthropic.lastRequest.withLock { $0 }?.body ?? Data(), as: UTF8.self)
                        #expect(claude.contains(#""type":"base64""#) && claude.contains(#""media_type":"image/png""#))
                        #expect(claude.contains(base64))
                        #expect(try await ask("gemini-2.5-pro") == 200)
                        let google = String(decoding: gemini.lastRequest.withLock { $0 }?.body ?? Data(), as: UTF8.self)
                        #expect(google.contains(#""inlineData""#) && google.contains(base64))
                        // The demo cannot see: refused before any call, and the dropdown says which models can.
                        #expect(try await ask("demo-chat") == 422)
                        try await client.execute(uri: "/v1/models", method: .get) { response in
                            let chat = (json(response)["chat"] as? [[String: Any]]) ?? []
                            #expect(chat.first { $0["id"] as? String == "demo-chat" }?["vision"] as? Bool == false)
                            #expect(chat.first { $0["id"] as? String == "gpt-4o" }?["vision"] as? Bool == true)
                        }
                    }
                }
            }
        }
    }

    @Test func fiftyParallelRequestsNeverBillPastTheLimit() async throws {
        try await withFakeOpenAI { fake, port in
            try await GatewayHarness.run(openAIPort: port) { harness, client in
                let (userID, headers) = try await harness.user(usedTokens: 149_000)
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<50 {
                        group.addTask {
                            try await client.execute(
                                uri: "/v1/chat/complete", method: .post, headers: headers,
                                body: chatBody("request \(index)", maxTokens: 40)
                            ) { $0.status.code }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let served = statuses.filter { $0 == 200 }.count
                #expect(served > 0 && statuses.allSatisfy { $0 == 200 || $0 == 402 })
                #expect(fake.calls.load(ordering: .relaxed) == served)
                #expect(try await harness.billedTokens(userID) <= 1000)
            }
        }
    }

    @Test func theSixthRequestInAWindowOfFiveIsRefused() async throws {
        try await GatewayHarness.run(extra: ["RATE_LIMIT_PER_MINUTE": "5"]) { harness, client in
            let (userID, headers) = try await harness.user()
            var statuses: [Int] = []
            var remaining: [String?] = []
            for _ in 0..<6 {
                try await client.execute(
                    uri: "/v1/chat/complete", method: .post, headers: headers, body: chatBody("hi")
                ) {
                    response in
                    statuses.append(response.status.code)
                    remaining.append(response.headers[UserRateLimitMiddleware.remainingHeader])
                    if response.status == .tooManyRequests {
                        #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 0)
                    }
                }
            }
            #expect(statuses == [200, 200, 200, 200, 200, 429])
            // Counted once per request.
            #expect(remaining == ["4", "3", "2", "1", "0", "0"])
            // A signed-out token is refused as such, before its rate limit is looked at (as soon as the
            // gateway hears of the sign-out: its session cache drops the user on PostgreSQL's notification).
            _ = try await UserRepository(client: harness.postgres, logger: Logger(label: "t"))
                .bumpTokenVersion(id: userID)
            var refusal: (Int, String?) = (0, nil)
            #expect(
                try await eventually(timeout: .seconds(3)) {
                    refusal = try await client.execute(
                        uri: "/v1/chat/complete", method: .post, headers: headers, body: chatBody("hi")
                    ) { ($0.status.code, errorCode($0)) }
                    return refusal.0 != 429
                })
            #expect(refusal.0 == 401 && refusal.1 == "unauthenticated")
            // A forged signature is refused too.
            var forged = headers
            forged[.authorization] = "Bearer " + (headers[.authorization] ?? "").dropFirst(7).dropLast(2) + "xx"
            try await client.execute(
                uri: "/v1/chat/complete", method: .post, headers: forged, body: chatBody("hi")
            ) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func aRequestPastTheRateLimitReachesNoProviderAndIsNotBilled() async throws {
        try await withFakeOpenAI { fake, port in
            try await GatewayHarness.run(extra: ["RATE_LIMIT_PER_MINUTE": "2"], openAIPort: port) { harness, client in
                let (userID, headers) = try await harness.user()
                var statuses: [Int] = []
                for _ in 0..<6 {
                    statuses.append(
                        try await client.execute(
                            uri: "/v1/chat/complete", method: .post, headers: headers, body: chatBody("سؤال")
                        ) { $0.status.code })
                }
                #expect(statuses == [200, 200, 429, 429, 429, 429])
                #expect(fake.calls.load(ordering: .relaxed) == 2)
                let rows = try await harness.postgres.query(
                    "SELECT count(*)::int FROM usage_logs WHERE user_id = \(userID)", logger: Logger(label: "t")
                ).collect()
                #expect(try rows.first?.decode(Int.self) == 2)
                // The count runs beside moderation for a user in good standing; once refused, the user's
                // requests are counted first, so the refused ones stop reaching the moderation API.
                #expect(fake.moderationCalls.load(ordering: .relaxed) <= 3)
            }
        }
    }

    @Test func everyRequestCountsOnceWhetherOrNotItReachedItsReservation() async throws {
        try await GatewayHarness.run(extra: ["RATE_LIMIT_PER_MINUTE": "3"]) { harness, client in
            // Counted with the reservation (200), or by the rate limit itself when the route stopped before
            // reserving (400) or had nothing to reserve from (402, no plan).
            let (_, headers) = try await harness.user()
            var statuses: [Int] = []
            for body in [
                ByteBuffer(string: "not json"), chatBody("مرحبا"), ByteBuffer(string: "[]"), chatBody("مرحبا"),
            ] {
                statuses.append(
                    try await client.execute(uri: "/v1/chat/complete", method: .post, headers: headers, body: body) {
                        $0.status.code
                    })
            }
            #expect(statuses == [400, 200, 400, 429])
            let (_, withoutPlan) = try await harness.user(plan: nil)
            statuses = []
            for _ in 0..<4 {
                statuses.append(
                    try await client.execute(
                        uri: "/v1/chat/complete", method: .post, headers: withoutPlan, body: chatBody("مرحبا")
                    ) { $0.status.code })
            }
            #expect(statuses == [402, 402, 402, 429])
        }
    }

    @Test func aBodyOfTheWrongShapeIsRefusedWithOneSentenceAndChangesNothing() async throws {
        try await GatewayHarness.run { harness, client in
            let (userID, headers) = try await harness.user()
            let bodies = [
                "not json", "[]", #"{"messages": "hi"}"#, #"{"messages": [{"role": "user"}]}"#,
                #"{"messages": [{"role": "user", "content": 5}]}"#, #"{"messages": [], "max_tokens": "16"}"#,
                #"{"messages": [], "max_tokens": 1.5}"#, #"{"messages": [], "stream": "yes"}"#,
                #"{"messages": [], "conversation_id": "not-a-uuid"}"#, #"{"messages": [], "attachments": ["x"]}"#,
                #"{"messages": [{"role": "user", "content": "hi"}],}"#,
            ]
            for body in bodies {
                try await client.execute(
                    uri: "/v1/chat/complete", method: .post, headers: headers, body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == .badRequest, "\(body)")
                    let error = json(response)["error"] as? [String: Any]
                    #expect(error?["code"] as? String == "validation_failed", "\(body)")
                    #expect(error?["message_ar"] as? String == "الطلب غير صالح: تحقّق من البيانات المرسلة.")
                }
            }
            #expect(try await harness.billedTokens(userID) == 0)
            // Fields the endpoint does not read are ignored; null is the same as absent.
            try await client.execute(
                uri: "/v1/chat/complete", method: .post, headers: headers,
                body: ByteBuffer(
                    string:
                        #"{"messages": [{"role": "user", "content": "مرحبا", "name": "x"}], "temperature": 0.2, "system": null, "max_tokens": 16}"#
                )
            ) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
        }
    }

    @Test func blockedContentIs422AndReachesNoProvider() async throws {
        try await withFakeOpenAI { fake, port in
            try await GatewayHarness.run(extra: ["MODERATION_BLOCKLIST": "كلمة محظورة"], openAIPort: port) {
                harness, client in
                // 1,000 tokens left: room for one request of 900 at a time.
                let (userID, headers) = try await harness.user(usedTokens: 149_000)
                try await client.execute(
                    uri: "/v1/chat/complete", method: .post, headers: headers,
                    body: chatBody("هذه كلمةٌ مـحظورة هنا", maxTokens: 900)
                ) { response in
                    #expect(response.status == .unprocessableContent && errorCode(response) == "content_blocked")
                }
                #expect(fake.calls.load(ordering: .relaxed) == 0)
                #expect(try await harness.billedTokens(userID) == 0)
                // The blocked request's reservation (made beside moderation) was given back at once.
                try await client.execute(
                    uri: "/v1/chat/complete", method: .post, headers: headers, body: chatBody("hello", maxTokens: 900)
                ) { response in
                    #expect(response.status == .ok)
                }
                #expect(fake.calls.load(ordering: .relaxed) == 1)
            }
        }
    }

    @Test func openAIModerationBlocksWhatItFlags() async throws {
        try await withFakeOpenAI { fake, port in
            try await GatewayHarness.run(openAIPort: port) { harness, client in
                let (userID, headers) = try await harness.user()
                try await client.execute(
                    uri: "/v1/chat/complete", method: .post, headers: headers, body: chatBody("please flag-me now")
                ) { response in
                    #expect(response.status == .unprocessableContent && errorCode(response) == "content_blocked")
                }
                try await client.execute(
                    uri: "/v1/chat/complete", method: .post, headers: headers, body: chatBody("hello")
                ) {
                    response in
                    #expect(response.status == .ok)
                }
                #expect(fake.moderationCalls.load(ordering: .relaxed) == 2)
                #expect(fake.calls.load(ordering: .relaxed) == 1)
                #expect(try await harness.billedTokens(userID) == 20)
            }
        }
    }

    /// A chat sends its history with every turn; only what the moderation API has not passed yet goes to
    /// it again, and a flagged text is checked (and refused) every time.
    @Test func openAIModerationSeesEachPassedTextOnce() async throws {
        @Sendable func turn(_ messages: [(String, String)]) -> ByteBuffer {
            let object: [String: Any] = [
                "messages": messages.map { ["role": $0.0, "content": $0.1] }, "max_tokens": 50,
            ]
            return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
        }
        try await withFakeOpenAI { fake, port in
            try await GatewayHarness.run(openAIPort: port) { harness, client in
                let (_, headers) = try await harness.user()
                let first = [("user", "ما هي عاصمة الأردن؟")]
                let second = first + [("assistant", "عمّان"), ("user", "وما أكبر مدنها بعدها؟")]
                let flagged = second + [("assistant", "الزرقاء"), ("user", "please flag-me now")]
                var statuses: [HTTPResponse.Status] = []
                for body in [first, second, second, flagged, flagged] {
                    try await client.execute(
                        uri: "/v1/chat/complete", method: .post, headers: headers, body: turn(body)
                    ) { statuses.append($0.status) }
                }

                #expect(statuses == [.ok, .ok, .ok, .unprocessableContent, .unprocessableContent])
                #expect(
                    fake.moderationInputs.withLock { $0 } == [
                        ["ما هي عاصمة الأردن؟"], ["عمّان", "وما أكبر مدنها بعدها؟"],
                        ["الزرقاء", "please flag-me now"], ["الزرقاء", "please flag-me now"],
                    ])
                #expect(fake.calls.load(ordering: .relaxed) == 3)
            }
        }
    }

    @Test func providerFailuresMapToClearErrorsAndChargeNothing() async throws {
        try await withFakeOpenAI { _, port in
            let catalog = try Self.catalogFile([
                #"{"id": "broken", "modality": "chat", "provider": "openai", "upstream": "fail-500", "name": "B", "name_ar": "ب", "unit_cost": 1}"#,
                #"{"id": "busy", "modality": "chat", "provider": "openai", "upstream": "busy-429", "name": "C", "name_ar": "ج", "unit_cost": 1}"#,
                #"{"id": "unpriced", "modality": "chat", "provider": "openai", "upstream": "x", "name": "D", "name_ar": "د"}"#,
            ])
            try await GatewayHarness.run(extra: ["MODEL_CATALOG_FILE": catalog], openAIPort: port) { harness, client in
                let (userID, headers) = try await harness.user()
                let expectations: [(String, Int, String)] = [
                    ("broken", 502, "provider_error"), ("busy", 503, "provider_busy"),
                    ("unpriced", 400, "model_unavailable"),
                    ("nonexistent", 400, "unknown_model"),
                ]
                for (model, status, code) in expectations {
                    try await client.execute(
                        uri: "/v1/chat/complete", method: .post, headers: headers, body: chatBody("hi", model: model)
                    ) { response in
                        #expect(response.status.code == status, "\(model)")
                        #expect(errorCode(response) == code)
                        #expect(!String(buffer: response.body).contains("The server had an error"))
                    }
                }
                #expect(try await harness.billedTokens(userID) == 0)
            }
        }
    }

    @Test func fallbackAnswersWhenThePrimaryFails() async throws {
        try await withFakeOpenAI { _, port in
            let catalog = try Self.catalogFile([
                #"{"id": "primary", "modality": "chat", "provider": "openai", "upstream": "fail-500", "name": "P", "name_ar": "ب", "unit_cost": 1, "fallbacks": ["demo-chat"]}"#,
                #"{"id": "demo-chat", "modality": "chat", "provider": "demo", "name": "Demo", "name_ar": "تجريبي", "unit_cost": 1}"#,
            ])
            try await GatewayHarness.run(
                extra: ["MODEL_CATALOG_FILE": catalog, "CHAT_FALLBACK": "true"], openAIPort: port
            ) {
                harness, client in
                let (_, headers) = try await harness.user()
                try await client.execute(
                    uri: "/v1/chat/complete", method: .post, headers: headers, body: chatBody("hello", model: "primary")
                ) { response in
                    #expect(response.status == .ok)
                    #expect(json(response)["model"] as? String == "demo-chat")
                }
            }
        }
    }

    @Test func midStreamErrorBillsWhatWasProducedAndSaysSo() async throws {
        try await withFakeOpenAI { _, port in
            let catalog = try Self.catalogFile([
                #"{"id": "flaky", "modality": "chat", "provider": "openai", "upstream": "mid-error", "name": "F", "name_ar": "ف", "unit_cost": 1}"#
            ])
            try await GatewayHarness.run(extra: ["MODEL_CATALOG_FILE": catalog], openAIPort: port) { harness, client in
                let (userID, headers) = try await harness.user()
                try await client.execute(
                    uri: "/v1/chat/complete", method: .post, headers: headers,
                    body: chatBody("hi", model: "flaky", stream: true)
                ) { response in
                    let events = sseEvents(String(buffer: response.body))
                    #expect(events.first?.0 == "delta")
                    #expect((events.last?.1["error"] as? [String: Any])?["code"] as? String == "provider_error")
                }
                let billed = try await harness.billedTokens(userID)
                #expect(billed > 0 && billed < 100)
            }
        }
    }

    static func catalogFile(_ entries: [String]) throws -> String {
        let path = NSTemporaryDirectory() + "catalog-\(UUID().uuidString).json"
        try "[\(entries.joined(separator: ","))]".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

struct TextTests {
    @Test func sseDecoderKeepsCharactersSplitAcrossChunks() {
        var decoder = SSEDecoder()
        var events: [SSEDecoder.Event] = []
        for byte in Array("event: delta\ndata: {\"t\":\"سلام\"}\n\ndata: [DONE]\n\n".utf8) {
            events += decoder.feed([byte])
        }
        #expect(events == [.init(event: "delta", data: "{\"t\":\"سلام\"}"), .init(event: nil, data: "[DONE]")])
    }

    @Test func arabicSpellingsFoldTogether() {
        #expect(ArabicNormalizer.normalize("أَحْمَد") == ArabicNormalizer.normalize("احمد"))
        #expect(ArabicNormalizer.normalize("مدرسة") == ArabicNormalizer.normalize("مدرسه"))
        #expect(ArabicNormalizer.normalize("مستشفى") == ArabicNormalizer.normalize("مستشفي"))
        #expect(ArabicNormalizer.normalize("جـــميل") == "جميل")
        #expect(ArabicNormalizer.normalize("إسلام آمن") == "اسلام امن")
        #expect(ArabicNormalizer.normalize("GPT ٤") == "gpt 4")
        #expect(ArabicNormalizer.normalize("رقم ۱۲٣ ـ\u{200F}Ünïcode İ ΣΑΣ") == "رقم 123 ünïcode i\u{307} σασ")
    }

    @Test func aConversationIsTitledByItsFirstLineOfText() {
        #expect(ConversationRepository.title(from: "  ما هي عاصمة الأردن؟  \nوما أكبر مدنها؟") == "ما هي عاصمة الأردن؟")
        #expect(ConversationRepository.title(from: "\n \t\r\nسطر ثانٍ") == "سطر ثانٍ")
        #expect(ConversationRepository.title(from: " \n\t ") == "محادثة جديدة")
        let long = String(repeating: "أهلًا ", count: 20)
        let title = ConversationRepository.title(from: long)
        #expect(title.count == 61 && title.hasSuffix("…") && long.hasPrefix(title.dropLast()))
        // Sixty characters of several scalars each are not cut inside a character.
        let marked = String(repeating: "بِ", count: 60)
        #expect(ConversationRepository.title(from: marked) == marked)
    }
}
