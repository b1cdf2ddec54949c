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

struct CVTests {
    static func count(_ harness: BackendHarness, _ table: String) async throws -> Int {
        let rows = try await harness.postgres.query(
            PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: Logger(label: "t"))
        for try await n in rows.decode(Int.self) { return n }
        return 0
    }

    static func subscribe(_ harness: BackendHarness, _ session: Session, plan: String) async throws {
        let user = try #require(UUID(uuidString: session.userID))
        try await harness.postgres.query(
            """
            INSERT INTO subscriptions (user_id, plan_id, status, current_period_start, renews_at, provider)
            VALUES (\(user), \(plan), 'active', now() - interval '1 day', now() + interval '29 days', 'manual')
            """, logger: Logger(label: "t"))
    }

    static var form: [String: Any] {
        [
            "full_name": "سارة أحمد", "email": "sara@example.jo", "summary": "مهندسة برمجيات",
            "skills": ["Swift", "SQL"],
            "experience": [["title": "مهندسة", "company": "أمنية", "bullets": ["طوّرت نظام دفع"]]],
        ]
    }

    @Test func aCVIsWrittenAsDocxNowAndItsPDFIsQueuedForTheWorker() async throws {
        let storage = NSTemporaryDirectory() + "storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        try await BackendHarness.run(extra: ["STORAGE_DIR": storage, "CV_PDF_WAIT_SECONDS": "0"]) { harness, client in
            let session = try await harness.signIn("cv@example.jo", client: client)
            try await client.execute(
                uri: "/v1/cv/generate", method: .post, headers: session.mutatingHeaders,
                body: body(["form": Self.form, "language": "ar"])
            ) { response in
                #expect(response.status.code == 402 && errorCode(response) == "plan_feature_required")
            }
            #expect(try await Self.count(harness, "files") == 0)

            try await Self.subscribe(harness, session, plan: "starter")
            let (docxLink, jobID) = try await client.execute(
                uri: "/v1/cv/generate", method: .post, headers: session.mutatingHeaders,
                body: body(["form": Self.form, "language": "ar", "style": "ats", "formats": ["docx", "pdf"]])
            ) { response -> (String, String) in
                #expect(response.status == .ok)
                let files = try #require(json(response)["files"] as? [[String: Any]])
                #expect(files.map { $0["format"] as? String } == ["docx", "pdf"])
                #expect(files[0]["status"] as? String == "ready" && files[1]["status"] as? String == "pending")
                return (
                    try #require(files[0]["download_url"] as? String), try #require(files[1]["job_id"] as? String)
                )
            }
            let url = try #require(URLComponents(string: docxLink))
            try await client.execute(uri: url.path + "?" + (url.percentEncodedQuery ?? ""), method: .get) { response in
                #expect(response.status == .ok)
                let data = Data(buffer: response.body)
                #expect(FileType.sniff(data) == .docx)
                let document = try OOXMLPackage.parts(of: data)["word/document.xml"] ?? Data()
                #expect(String(decoding: document, as: UTF8.self).contains("سارة أحمد"))
                #expect(response.headers[.contentDisposition]?.contains("filename*=UTF-8''") == true)
            }
            try await client.execute(uri: "/v1/jobs/\(jobID)", method: .get, headers: session.headers) { response in
                let job = json(response)["job"] as? [String: Any]
                #expect(job?["kind"] as? String == "doc_convert" && job?["status"] as? String == "queued")
            }
        }
    }

    @Test func badCVRequestsAreRefusedAndStoreNothing() async throws {
        let storage = NSTemporaryDirectory() + "storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        try await BackendHarness.run(extra: ["STORAGE_DIR": storage, "CV_PDF_WAIT_SECONDS": "0"]) { harness, client in
            let session = try await harness.signIn("cv-bad@example.jo", client: client)
            try await Self.subscribe(harness, session, plan: "pro")
            let cases: [[String: Any]] = [
                ["form": ["full_name": ""], "language": "ar"],
                ["form": ["full_name": "Sara", "summary": String(repeating: "x", count: 100_000)], "language": "en"],
                ["form": ["full_name": "Sara"], "language": "fr"],
                ["form": ["full_name": "Sara"], "language": "en", "formats": ["odt"]],
                ["language": "en"],
            ]
            for request in cases {
                try await client.execute(
                    uri: "/v1/cv/generate", method: .post, headers: session.mutatingHeaders, body: body(request)
                ) { response in
                    #expect(response.status == .badRequest, "\(request.keys)")
                    #expect((json(response)["error"] as? [String: Any])?["message_ar"] is String)
                }
            }
            #expect(try await Self.count(harness, "files") == 0)
            #expect(try await Self.count(harness, "jobs") == 0)
        }
    }
}
