import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import BackendService

struct ConvertTests {
    static func docx() throws -> Data {
        try OOXMLPackage.zip([
            (
                "[Content_Types].xml",
                Data(
                    #"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#
                        .utf8)
            ),
            (
                "word/document.xml",
                Data(
                    #"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>سلام</w:t></w:r></w:p></w:body></w:document>"#
                        .utf8)
            ),
        ])
    }

    @Test func aReadyDocxIsQueuedForPDFAndOnlyItsOwnerFollowsTheJob() async throws {
        let storage = NSTemporaryDirectory() + "storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        try await BackendHarness.run(extra: ["STORAGE_DIR": storage]) { harness, client in
            let files = FileTests()
            let session = try await harness.signIn("convert@example.jo", client: client)
            let (status, uploaded) = try await files.upload(
                try Self.docx(), name: "سيرة.docx", session: session, client: client)
            #expect(status == 201)
            let id = try #require((uploaded["file"] as? [String: Any])?["id"] as? String)
            try await client.execute(
                uri: "/v1/files/\(id)/convert", method: .post, headers: session.mutatingHeaders, body: body([:])
            ) { response in #expect(errorCode(response) == "file_not_ready") }
            #expect(try await files.scanner(harness).scan(fileID: UUID(uuidString: id)!) == .ready)

            let jobID = try await client.execute(
                uri: "/v1/files/\(id)/convert", method: .post, headers: session.mutatingHeaders,
                body: body(["to": "pdf"])
            ) { response -> String in
                #expect(response.status == .accepted)
                let job = try #require(json(response)["job"] as? [String: Any])
                #expect(job["kind"] as? String == "doc_convert" && job["status"] as? String == "queued")
                return try #require(job["id"] as? String)
            }
            #expect(jobID == jobID.lowercased())
            let redis = RedisClient(settings: harness.settings.redis, logger: Logger(label: "t"))
            #expect(try await JobQueue(redis: redis).stats(.documents).length == 1)
            try await client.execute(uri: "/v1/jobs/\(jobID)", method: .get, headers: session.headers) { response in
                #expect((json(response)["job"] as? [String: Any])?["status"] as? String == "queued")
            }
            try await client.execute(
                uri: "/v1/files/\(id)/convert", method: .post, headers: session.mutatingHeaders,
                body: body(["to": "docx"])
            ) { response in #expect(errorCode(response) == "validation_failed") }

            let (_, image) = try await files.upload(tinyPNG, session: session, client: client)
            let imageID = try #require((image["file"] as? [String: Any])?["id"] as? String)
            _ = try await files.scanner(harness).scan(fileID: UUID(uuidString: imageID)!)
            try await client.execute(
                uri: "/v1/files/\(imageID)/convert", method: .post, headers: session.mutatingHeaders, body: body([:])
            ) { response in
                #expect(response.status == .unprocessableContent && errorCode(response) == "not_convertible")
            }

            let stranger = try await harness.signIn("stranger-doc@example.jo", client: client)
            try await client.execute(uri: "/v1/jobs/\(jobID)", method: .get, headers: stranger.headers) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(
                uri: "/v1/files/\(id)/convert", method: .post, headers: stranger.mutatingHeaders, body: body([:])
            ) { response in #expect(response.status == .notFound) }
        }
    }

    @Test func aDocumentsTextIsReadOnceThenServedFromWhatWasStored() async throws {
        let storage = NSTemporaryDirectory() + "storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        try await BackendHarness.run(extra: ["STORAGE_DIR": storage]) { harness, client in
            let files = FileTests()
            let session = try await harness.signIn("reader@example.jo", client: client)
            let (_, uploaded) = try await files.upload(
                try Self.docx(), name: "notes.docx", session: session, client: client)
            let id = try #require((uploaded["file"] as? [String: Any])?["id"] as? String)
            #expect(try await files.scanner(harness).scan(fileID: UUID(uuidString: id)!) == .ready)
            try await client.execute(uri: "/v1/files/\(id)/text", method: .get, headers: session.headers) { response in
                #expect(response.status == .conflict && errorCode(response) == "text_not_ready")
            }
            // Asked twice while the worker has not run: one job.
            var jobIDs: [String] = []
            for _ in 0..<2 {
                try await client.execute(
                    uri: "/v1/files/\(id)/extract", method: .post, headers: session.mutatingHeaders, body: body([:])
                ) { response in
                    #expect(response.status == .accepted)
                    let job = json(response)["job"] as? [String: Any]
                    #expect(job?["kind"] as? String == "doc_extract")
                    jobIDs.append(job?["id"] as? String ?? "")
                }
            }
            #expect(jobIDs[0] == jobIDs[1] && !jobIDs[0].isEmpty)
            // What the worker stores is served from then on, without another job.
            let fileID = try #require(UUID(uuidString: id))
            try await FileTextRepository(client: harness.postgres, logger: Logger(label: "t")).store(
                FileText(fileID: fileID, pages: ["سلام"], ocrPages: []))
            try await client.execute(
                uri: "/v1/files/\(id)/extract", method: .post, headers: session.mutatingHeaders, body: body([:])
            ) { response in
                #expect(response.status == .ok)
                let text = json(response)["text"] as? [String: Any]
                #expect(text?["text"] as? String == "سلام" && text?["pages"] as? Int == 1)
            }
            try await client.execute(uri: "/v1/files/\(id)/text", method: .get, headers: session.headers) { response in
                #expect((json(response)["text"] as? [String: Any])?["chars"] as? Int == 4)
            }
            let (_, image) = try await files.upload(tinyPNG, session: session, client: client)
            let imageID = try #require((image["file"] as? [String: Any])?["id"] as? String)
            _ = try await files.scanner(harness).scan(fileID: UUID(uuidString: imageID)!)
            try await client.execute(
                uri: "/v1/files/\(imageID)/extract", method: .post, headers: session.mutatingHeaders, body: body([:])
            ) { response in #expect(errorCode(response) == "not_a_document") }
            let stranger = try await harness.signIn("stranger-reader@example.jo", client: client)
            try await client.execute(uri: "/v1/files/\(id)/text", method: .get, headers: stranger.headers) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func editsAreValidatedAndQueuedForVideosOnly() async throws {
        let storage = NSTemporaryDirectory() + "storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        try await BackendHarness.run(extra: ["STORAGE_DIR": storage]) { harness, client in
            let files = FileTests()
            let session = try await harness.signIn("edit@example.jo", client: client)
            // An ISO-BMFF header is enough for the type check; the worker checks the rest.
            let mp4 = Data([0, 0, 0, 0x18] + Array("ftypisom".utf8) + [0, 0, 2, 0] + Array("isomiso2".utf8))
            let (_, uploaded) = try await files.upload(mp4, name: "clip.mp4", session: session, client: client)
            let id = try #require((uploaded["file"] as? [String: Any])?["id"] as? String)
            try await harness.postgres.query(
                "UPDATE files SET status = 'ready' WHERE id = \(UUID(uuidString: id)!)", logger: Logger(label: "t"))
            let bad: [[String: Any]] = [
                ["start": -1], ["start": 5, "end": 2], ["captions": [["start": 3, "end": 1, "text": "x"]]],
                ["srt": "1\n00:00:05,000 --> 00:00:01,000\nbackwards\n"],
                ["captions": [["start": 0, "end": 1, "text": String(repeating: "ا", count: 301)]]],
            ]
            for request in bad {
                try await client.execute(
                    uri: "/v1/files/\(id)/edit", method: .post, headers: session.mutatingHeaders, body: body(request)
                ) { response in #expect(errorCode(response) == "validation_failed", "\(request)") }
            }
            try await client.execute(
                uri: "/v1/files/\(id)/edit", method: .post, headers: session.mutatingHeaders,
                body: body(["start": 1, "end": 4, "srt": "1\n00:00:01,000 --> 00:00:02,500\nمرحبا\n"])
            ) { response in
                #expect(response.status == .accepted)
                #expect((json(response)["job"] as? [String: Any])?["kind"] as? String == "video_edit")
            }
            let (_, image) = try await files.upload(tinyPNG, session: session, client: client)
            let imageID = try #require((image["file"] as? [String: Any])?["id"] as? String)
            _ = try await files.scanner(harness).scan(fileID: UUID(uuidString: imageID)!)
            try await client.execute(
                uri: "/v1/files/\(imageID)/edit", method: .post, headers: session.mutatingHeaders, body: body([:])
            ) { response in #expect(errorCode(response) == "not_a_video") }
        }
    }
}
