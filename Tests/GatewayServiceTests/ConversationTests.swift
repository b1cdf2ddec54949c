import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import GatewayService

struct ConversationTests {
    func chat(_ text: String, conversation: String? = nil, headers: HTTPFields, client: any TestClientProtocol)
        async throws
        -> [String: Any]
    {
        var object: [String: Any] = ["messages": [["role": "user", "content": text]], "max_tokens": 60]
        if let conversation { object["conversation_id"] = conversation }
        return try await client.execute(
            uri: "/v1/chat/complete", method: .post, headers: headers,
            body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
        ) { response in
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            return json(response)
        }
    }

    @Test func chatTurnsAreSavedAndContinued() async throws {
        try await GatewayHarness.run { harness, client in
            let (_, headers) = try await harness.user()
            let first = try await chat("اكتب لي خطة لمدرسة الأمل\nمع تفاصيل", headers: headers, client: client)
            let id = try #require(first["conversation_id"] as? String)
            _ = try await chat("وماذا عن الميزانية؟", conversation: id, headers: headers, client: client)

            try await client.execute(uri: "/v1/conversations/\(id)", method: .get, headers: headers) { response in
                let opened = json(response)
                #expect((opened["conversation"] as? [String: Any])?["title"] as? String == "اكتب لي خطة لمدرسة الأمل")
                let messages = opened["messages"] as? [[String: Any]] ?? []
                #expect(messages.map { $0["role"] as? String } == ["user", "assistant", "user", "assistant"])
                #expect(messages[2]["content"] as? String == "وماذا عن الميزانية؟")
            }
            try await client.execute(uri: "/v1/conversations", method: .get, headers: headers) { response in
                #expect((json(response)["conversations"] as? [[String: Any]])?.count == 1)
            }
        }
    }

    @Test func aTurnAndItsUsageRowAreWrittenTogether() async throws {
        try await GatewayHarness.run { harness, client in
            let logger = Logger(label: "t")
            let (userID, headers) = try await harness.user()
            let (otherID, _) = try await harness.user()
            let answered = try await chat("ما هي عاصمة الأردن؟", headers: headers, client: client)
            let billed = try #require((answered["usage"] as? [String: Any])?["billed"] as? Int)
            #expect(try await harness.billedTokens(userID) == Int64(billed))

            let conversations = ConversationRepository(client: harness.postgres, logger: logger)
            func row(_ amount: Int64) -> QuotaSettlement.UsageRow {
                QuotaSettlement.UsageRow(
                    userID: userID, kind: "tokens", amount: amount, model: "gpt-4o", meta: #"{"provider":"openai"}"#)
            }
            let own = try #require(UUID(uuidString: answered["conversation_id"] as? String ?? ""))
            let saved = try await conversations.record(
                userID: userID, conversationID: own, title: "t", question: "والأخرى؟", answer: "إربد",
                model: "gpt-4o", usage: row(7))
            #expect(saved == own)
            #expect(try await harness.billedTokens(userID) == Int64(billed) + 7)
            #expect(try await conversations.messages(conversationID: own).count == 4)
            // Someone else's conversation is not touched, but the call is still billed.
            let theirs = try await conversations.create(userID: otherID, title: "لهم", model: nil)
            let refused = try await conversations.record(
                userID: userID, conversationID: theirs.id, title: "t", question: "س", answer: "ج", model: "gpt-4o",
                usage: row(5))
            #expect(refused == nil)
            #expect(try await conversations.messages(conversationID: theirs.id).isEmpty)
            #expect(try await harness.billedTokens(userID) == Int64(billed) + 12)
        }
    }

    @Test func searchFindsEveryArabicSpelling() async throws {
        try await GatewayHarness.run { harness, client in
            let (_, headers) = try await harness.user()
            _ = try await chat("أريد خطة لمدرسة الأمل", headers: headers, client: client)
            _ = try await chat("وصفة كعك العيد", headers: headers, client: client)
            for (query, expected) in [("مدرسه الامل", 1), ("مَدرسة", 1), ("كعك", 1), ("ريد", 1), ("100%", 0), ("_", 0)] {
                let encoded = query.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
                    .replacingOccurrences(of: "%25", with: "%25").replacingOccurrences(of: "&", with: "%26")
                try await client.execute(uri: "/v1/conversations?q=\(encoded)", method: .get, headers: headers) {
                    response in
                    #expect((json(response)["conversations"] as? [[String: Any]])?.count == expected, "\(query)")
                }
            }
        }
    }

    @Test func othersCannotOpenContinueRenameOrDelete() async throws {
        try await GatewayHarness.run { harness, client in
            let (_, owner) = try await harness.user()
            // 1,000 tokens left: room for one request of 900 at a time.
            let (otherID, other) = try await harness.user(usedTokens: 149_000)
            let id = try #require(try await chat("سري", headers: owner, client: client)["conversation_id"] as? String)

            try await client.execute(uri: "/v1/conversations/\(id)", method: .get, headers: other) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(
                uri: "/v1/conversations/\(id)", method: .patch, headers: other,
                body: ByteBuffer(string: #"{"title":"x"}"#)
            ) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/conversations/\(id)", method: .delete, headers: other) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(
                uri: "/v1/chat/complete", method: .post, headers: other,
                body: ByteBuffer(
                    string:
                        #"{"conversation_id":"\#(id)","messages":[{"role":"user","content":"hi"}],"max_tokens":900}"#)
            ) { response in
                #expect(response.status == .notFound)
            }
            // Nothing billed, and the reservation made beside the ownership check was given back at once.
            #expect(try await harness.billedTokens(otherID) == 0)
            try await client.execute(
                uri: "/v1/chat/complete", method: .post, headers: other,
                body: ByteBuffer(string: #"{"messages":[{"role":"user","content":"hi"}],"max_tokens":900}"#)
            ) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func renameCreateAndDelete() async throws {
        try await GatewayHarness.run { harness, client in
            let (_, headers) = try await harness.user()
            let id = try await client.execute(
                uri: "/v1/conversations", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"title":"مسودة"}"#)
            ) { response in
                #expect(response.status == .created)
                return (json(response)["conversation"] as? [String: Any])?["id"] as? String ?? ""
            }
            try await client.execute(
                uri: "/v1/conversations/\(id)", method: .patch, headers: headers,
                body: ByteBuffer(string: #"{"title":"  "}"#)
            ) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(
                uri: "/v1/conversations/\(id)", method: .patch, headers: headers,
                body: ByteBuffer(string: #"{"title":"سيرة ذاتية"}"#)
            ) { response in
                #expect((json(response)["conversation"] as? [String: Any])?["title"] as? String == "سيرة ذاتية")
            }
            try await client.execute(uri: "/v1/conversations/\(id)", method: .delete, headers: headers) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/v1/conversations/\(id)", method: .get, headers: headers) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
