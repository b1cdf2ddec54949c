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
}
