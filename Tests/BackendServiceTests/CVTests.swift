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

    @Test func aGulfStyleCVCarriesTheUploadedPhotoInlineAndOtherUsesOfAPhotoAreRefused() async throws {
        let storage = NSTemporaryDirectory() + "storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        try await BackendHarness.run(extra: ["STORAGE_DIR": storage, "CV_PDF_WAIT_SECONDS": "0"]) { harness, client in
            let files = FileTests()
            let session = try await harness.signIn("cv-photo@example.jo", client: client)
            try await Self.subscribe(harness, session, plan: "starter")
            // A portrait photo, 300 × 400.
            let pixels = [UInt8]((0..<(300 * 400)).flatMap { _ in [UInt8(40), 90, 160, 255] })
            let portrait = PNGEncoder.encode(width: 300, height: 400, rgba: pixels)
            func uploaded(_ data: Data, name: String, as session: Session) async throws -> String {
                let (_, answer) = try await files.upload(data, name: name, session: session, client: client)
                let id = try #require((answer["file"] as? [String: Any])?["id"] as? String)
                _ = try await files.scanner(harness).scan(fileID: UUID(uuidString: id)!)
                return id
            }
            let photo = try await uploaded(portrait, name: "صورتي.png", as: session)
            var form = Self.form
            form["photo_file_id"] = photo
            form["nationality"] = "أردنية"

            let refused: [([String: Any], String)] = [
                (["form": form, "language": "ar", "style": "ats", "formats": ["docx"]], "validation_failed"),
                (
                    [
                        "form": form.merging(["photo_file_id": UUID().uuidString]) { $1 }, "language": "ar",
                        "style": "gulf",
                    ],
                    "not_found"
                ),
            ]
            for (request, code) in refused {
                try await client.execute(
                    uri: "/v1/cv/generate", method: .post, headers: session.mutatingHeaders, body: body(request)
                ) { response in #expect(errorCode(response) == code, "\(code)") }
            }
            let stranger = try await harness.signIn("someone@example.jo", client: client)
            let theirs = try await uploaded(portrait, name: "x.png", as: stranger)
            try await client.execute(
                uri: "/v1/cv/generate", method: .post, headers: session.mutatingHeaders,
                body: body(["form": form.merging(["photo_file_id": theirs]) { $1 }, "language": "ar", "style": "gulf"])
            ) { response in #expect(errorCode(response) == "not_found") }
            #expect(try await Self.count(harness, "files WHERE kind = 'doc'") == 0)

            let link = try await client.execute(
                uri: "/v1/cv/generate", method: .post, headers: session.mutatingHeaders,
                body: body(["form": form, "language": "ar", "style": "gulf", "formats": ["docx"]])
            ) { response -> String in
                #expect(response.status == .ok)
                let outputs = try #require(json(response)["files"] as? [[String: Any]])
                return try #require(outputs.first?["download_url"] as? String)
            }
            let url = try #require(URLComponents(string: link))
            try await client.execute(uri: url.path + "?" + (url.percentEncodedQuery ?? ""), method: .get) { response in
                let parts = try OOXMLPackage.parts(of: Data(buffer: response.body))
                #expect(parts["word/media/image1.png"] == portrait)
                let document = String(decoding: parts["word/document.xml"] ?? Data(), as: UTF8.self)
                let relationships = String(decoding: parts["word/_rels/document.xml.rels"] ?? Data(), as: UTF8.self)
                let types = String(decoding: parts["[Content_Types].xml"] ?? Data(), as: UTF8.self)
                #expect(
                    relationships.contains("Id=\"rIdImage1\"") && relationships.contains("Target=\"media/image1.png\""))
                #expect(types.contains("<Default Extension=\"png\" ContentType=\"image/png\"/>"))
                // Inline (no anchor, no text box), 4.5 cm high keeping the 3:4 shape, before the name, alt text set.
                #expect(
                    document.contains("<wp:inline") && !document.contains("<wp:anchor") && !document.contains("txbx"))
                #expect(document.contains("<wp:extent cx=\"1215000\" cy=\"1620000\"/>"))
                #expect(document.contains("r:embed=\"rIdImage1\"") && document.contains("descr=\"صورة سارة أحمد\""))
                let picture = try #require(document.range(of: "<w:drawing>"))
                let name = try #require(document.range(of: "سارة أحمد</w:t>"))
                #expect(picture.lowerBound < name.lowerBound)
            }
        }
    }

    @Test func picturesAreSizedFromTheirHeaders() throws {
        let png = PNGEncoder.encode(width: 7, height: 5, rgba: [UInt8](repeating: 200, count: 7 * 5 * 4))
        #expect(
            PictureSize.of(png)?.width == 7 && PictureSize.of(png)?.height == 5 && PictureSize.of(png)?.format == .png)
        // A JPEG's frame header after an APP0 segment: 640 wide, 480 high.
        var jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        jpeg += [0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03] + [UInt8](repeating: 0, count: 9)
        let size = PictureSize.of(Data(jpeg))
        #expect(size?.width == 640 && size?.height == 480 && size?.format == .jpeg)
        #expect(PictureSize.of(Data("GIF89a".utf8)) == nil)
        let wide = try #require(
            DocxDocument.Picture(data: png, fittingWidth: 1_260_000, maxHeight: 1_620_000, description: "x"))
        #expect(wide.width == 1_260_000 && wide.height == 900_000)
        let tall = PNGEncoder.encode(width: 1, height: 4, rgba: [UInt8](repeating: 0, count: 16))
        let capped = try #require(
            DocxDocument.Picture(data: tall, fittingWidth: 1_260_000, maxHeight: 1_620_000, description: "x"))
        #expect(capped.height == 1_620_000 && capped.width == 405_000)
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
