import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import BackendService

/// PDF summaries: the stored text, summarised through the gateway part by part, streamed as events.
struct SummaryTests {
    /// A ready PDF of the user's with its text already read (as the worker's doc_extract leaves it).
    static func document(
        _ harness: BackendHarness, _ session: Session, pages: [String]
    ) async throws -> UUID {
        let logger = Logger(label: "t")
        let userID = try #require(UUID(uuidString: session.userID))
        let id = UUID()
        _ = try await FileRepository(client: harness.postgres, logger: logger).createReady(
            id: id, userID: userID, type: .pdf, key: "users/\(userID)/\(id).pdf", bytes: 10, name: "report.pdf")
        try await FileTextRepository(client: harness.postgres, logger: logger).store(
            FileText(fileID: id, pages: pages, ocrPages: [2]))
        return id
    }

    /// The events of a summary stream as (name, JSON object).
    static func events(_ text: String) -> [(String, [String: Any])] {
        text.components(separatedBy: "\n\n").compactMap { block in
            let lines = block.split(separator: "\n")
            guard let name = lines.first(where: { $0.hasPrefix("event: ") })?.dropFirst(7),
                let data = lines.first(where: { $0.hasPrefix("data: ") })?.dropFirst(6),
                let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
            else { return nil }
            return (String(name), object)
        }
    }

    @Test func aLongDocumentIsSummarisedPartByPartThenCombinedAndStreamed() async throws {
        try await SlideTests.run { harness, client, session, gateway in
            try await CVTests.subscribe(harness, session, plan: "pro")
            let long = String(repeating: "تقرير المبيعات في عمّان يظهر نموًا واضحًا هذا الربع. ", count: 300)
            let id = try await Self.document(harness, session, pages: [long, long, "الخلاصة: نراجع الأسعار."])
            let streamed = try await client.execute(
                uri: "/v1/documents/summary", method: .post, headers: session.mutatingHeaders,
                body: body(["file_id": id.uuidString, "language": "ar"])
            ) { response -> String in
                #expect(response.status == .ok && response.headers[.contentType] == "text/event-stream")
                return String(buffer: response.body)
            }
            let events = Self.events(streamed)
            let progress = events.filter { $0.0 == "progress" }
            #expect(progress.count >= 3 && progress.last?.1["step"] as? String == "combine")
            let final = try #require(events.first { $0.0 == "summary" }?.1)
            #expect(final["source"] as? String == "ai" && (final["parts"] as? Int ?? 0) >= 2)
            let summary = try #require(final["summary"] as? [String: Any])
            #expect(summary["title"] as? String == "تقرير الربع")
            #expect((summary["action_items"] as? [String]) == ["مراجعة الأسعار"])
            #expect(events.last?.0 == "done")
            // Every part was a note-taking call and one combining call came last, all as the user.
            let systems = gateway.systems.withLock { $0 }
            #expect(systems.filter { $0.hasPrefix("You take notes") }.count == (final["parts"] as? Int))
            #expect(systems.last?.hasPrefix("You summarise") == true)
            #expect(gateway.authorizations.withLock { $0 }.allSatisfy { $0.hasPrefix("Bearer ") })

            // The summary downloads as a right-to-left Word document (and a PDF from the worker).
            let exported = try await client.execute(
                uri: "/v1/documents/summary/export", method: .post, headers: session.mutatingHeaders,
                body: body(["summary": summary, "language": "ar", "formats": ["docx"]])
            ) { response -> [String: Any] in
                #expect(response.status == .ok)
                return json(response)
            }
            let file = try #require((exported["files"] as? [[String: Any]])?.first)
            #expect(file["format"] as? String == "docx" && file["status"] as? String == "ready")
        }
    }

    @Test func withTheDemoModelTheSummaryIsTheDocumentsOwnSentencesLabelledSo() async throws {
        try await SlideTests.run(gateway: .demo) { harness, client, session, _ in
            try await CVTests.subscribe(harness, session, plan: "creator")
            let id = try await Self.document(
                harness, session, pages: ["تقرير الربع الأول\nنمت المبيعات في عمّان بنسبة كبيرة. ثم استقرت."])
            let streamed = try await client.execute(
                uri: "/v1/documents/summary", method: .post, headers: session.mutatingHeaders,
                body: body(["file_id": id.uuidString, "language": "ar"])
            ) { String(buffer: $0.body) }
            let final = try #require(Self.events(streamed).first { $0.0 == "summary" }?.1)
            #expect(final["source"] as? String == "extract")
            let summary = try #require(final["summary"] as? [String: Any])
            #expect(summary["title"] as? String == "تقرير الربع الأول")
            #expect((summary["key_points"] as? [String])?.first?.contains("نمت المبيعات") == true)
        }
    }

    @Test func starterGets402AndUnreadOrForeignFilesAreRefused() async throws {
        try await SlideTests.run { harness, client, session, gateway in
            try await CVTests.subscribe(harness, session, plan: "starter")
            let id = try await Self.document(harness, session, pages: ["نص"])
            try await client.execute(
                uri: "/v1/documents/summary", method: .post, headers: session.mutatingHeaders,
                body: body(["file_id": id.uuidString, "language": "ar"])
            ) { response in
                #expect(response.status.code == 402 && errorCode(response) == "plan_feature_required")
            }
            try await harness.postgres.query(
                "UPDATE subscriptions SET plan_id = 'pro' WHERE user_id = \(UUID(uuidString: session.userID)!)",
                logger: Logger(label: "t"))
            let unread = UUID()
            let logger = Logger(label: "t")
            let userID = try #require(UUID(uuidString: session.userID))
            _ = try await FileRepository(client: harness.postgres, logger: logger).createReady(
                id: unread, userID: userID, type: .pdf, key: "k-\(unread)", bytes: 1, name: "x.pdf")
            try await client.execute(
                uri: "/v1/documents/summary", method: .post, headers: session.mutatingHeaders,
                body: body(["file_id": unread.uuidString, "language": "en"])
            ) { response in #expect(errorCode(response) == "text_not_ready") }
            let stranger = try await harness.signIn("stranger-summary@example.jo", client: client)
            try await CVTests.subscribe(harness, stranger, plan: "pro")
            try await client.execute(
                uri: "/v1/documents/summary", method: .post, headers: stranger.mutatingHeaders,
                body: body(["file_id": id.uuidString, "language": "en"])
            ) { response in #expect(response.status == .notFound) }
            #expect(gateway.systems.withLock { $0 }.isEmpty)
        }
    }

    @Test func partsFollowPagesAndNeverExceedTheSize() {
        let pages = ["أ" + String(repeating: "ب", count: 50), String(repeating: "ج\n", count: 80), "د"]
        let parts = SummaryRoutes.parts(of: pages, size: 60)
        #expect(parts.allSatisfy { $0.count <= 60 })
        #expect(parts.joined().filter { $0 != "\n" } == pages.joined().filter { $0 != "\n" })
    }
}
