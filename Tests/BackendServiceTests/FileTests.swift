import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import BackendService

/// A minimal PNG: signature, IHDR, IDAT and IEND chunks of a 1×1 image.
let tinyPNG = Data(
    base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")!

func multipart(_ data: Data, fileName: String = "photo.png", field: String = "file") -> (HTTPFields, ByteBuffer) {
    let boundary = "test-boundary-\(UUID().uuidString.prefix(8))"
    var body = Data(
        "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(fileName)\"\r\n".utf8)
    body += Data("Content-Type: application/octet-stream\r\n\r\n".utf8) + data + Data("\r\n--\(boundary)--\r\n".utf8)
    return ([.contentType: "multipart/form-data; boundary=\(boundary)"], ByteBuffer(bytes: body))
}

struct FileTests {
    func upload(_ data: Data, name: String = "صورة.png", session: Session, client: any TestClientProtocol) async throws
        -> (Int, [String: Any])
    {
        var (headers, payload) = multipart(data, fileName: name)
        headers[.cookie] = session.cookie
        headers[SessionAuthenticator<BackendRequestContext>.csrfHeader] = session.csrf
        return try await client.execute(uri: "/v1/files", method: .post, headers: headers, body: payload) { response in
            (response.status.code, json(response))
        }
    }

    func scanner(_ harness: BackendHarness) -> UploadScanner {
        UploadScanner(
            files: FileRepository(client: harness.postgres, logger: Logger(label: "t")),
            storage: harness.settings.storageAreas(), logger: Logger(label: "t"))
    }

    @Test func uploadScanSignedLinkDownloadAndExpiry() async throws {
        let storage = NSTemporaryDirectory() + "storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        try await BackendHarness.run(extra: ["STORAGE_DIR": storage, "FILE_URL_TTL_SECONDS": "2"]) { harness, client in
            let session = try await harness.signIn("files@example.jo", client: client)
            let (status, uploaded) = try await upload(tinyPNG, session: session, client: client)
            #expect(status == 201)
            let file = try #require(uploaded["file"] as? [String: Any])
            let id = try #require(file["id"] as? String)
            #expect(file["status"] as? String == "quarantined" && file["kind"] as? String == "image")
            #expect(file["name"] as? String == "صورة.png" && file["content_type"] as? String == "image/png")

            try await client.execute(uri: "/v1/files/\(id)/signed-url", method: .get, headers: session.headers) {
                response in
                #expect(response.status == .conflict && errorCode(response) == "file_not_ready")
            }
            #expect(try await scanner(harness).scan(fileID: UUID(uuidString: id)!) == .ready)

            let link = try await client.execute(
                uri: "/v1/files/\(id)/signed-url", method: .get, headers: session.headers
            ) {
                response in
                #expect(response.status == .ok)
                return try #require(json(response)["url"] as? String)
            }
            let url = try #require(URLComponents(string: link))
            #expect(url.host == "studio.test")
            let pathAndQuery = url.path + "?" + (url.percentEncodedQuery ?? "")
            try await client.execute(uri: pathAndQuery, method: .get) { response in
                #expect(response.status == .ok)
                #expect(Data(String(buffer: response.body).utf8).count > 0)
                #expect(response.body.readableBytes == tinyPNG.count)
                #expect(response.headers[.contentType] == "image/png")
                #expect(response.headers[.contentDisposition]?.contains("filename*=UTF-8''") == true)
            }
            let tampered = pathAndQuery.replacingOccurrences(of: "signature=", with: "signature=0")
            try await client.execute(uri: tampered, method: .get) { response in
                #expect(response.status == .forbidden && errorCode(response) == "link_expired")
            }
            try await Task.sleep(for: .milliseconds(2100))
            try await client.execute(uri: pathAndQuery, method: .get) { response in
                #expect(response.status == .forbidden && errorCode(response) == "link_expired")
            }
        }
    }

    @Test func anotherUserCannotSeeReadOrDeleteTheFile() async throws {
        let storage = NSTemporaryDirectory() + "storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        try await BackendHarness.run(extra: ["STORAGE_DIR": storage]) { harness, client in
            let owner = try await harness.signIn("owner@example.jo", client: client)
            let (_, uploaded) = try await upload(tinyPNG, session: owner, client: client)
            let id = try #require((uploaded["file"] as? [String: Any])?["id"] as? String)
            try await scanner(harness).scan(fileID: UUID(uuidString: id)!)

            let other = try await harness.signIn("other@example.jo", client: client)
            for uri in ["/v1/files/\(id)", "/v1/files/\(id)/signed-url"] {
                try await client.execute(uri: uri, method: .get, headers: other.headers) { response in
                    #expect(response.status == .notFound, "\(uri)")
                }
            }
            try await client.execute(uri: "/v1/files/\(id)", method: .delete, headers: other.mutatingHeaders) {
                response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/files", method: .get, headers: other.headers) { response in
                #expect((json(response)["files"] as? [Any])?.isEmpty == true)
            }
            try await client.execute(uri: "/v1/files/\(id)", method: .get, headers: owner.headers) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func badUploadsAreRefusedAndWriteNothing() async throws {
        let storage = NSTemporaryDirectory() + "storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        try await BackendHarness.run(extra: ["STORAGE_DIR": storage]) { harness, client in
            let session = try await harness.signIn("bad@example.jo", client: client)
            let executable = Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00] + [UInt8](repeating: 0, count: 64))
            let bigImage = tinyPNG.prefix(16) + Data(count: (10 << 20) + 1)
            let cases: [(Data, String, Int, String)] = [
                (executable, "notes.png", 415, "unsupported_file_type"),
                (Data(), "empty.txt", 400, "validation_failed"),
                (bigImage, "big.png", 413, "file_too_large"),
            ]
            for (data, name, status, code) in cases {
                let (answer, body) = try await upload(data, name: name, session: session, client: client)
                #expect(answer == status, "\(name)")
                #expect((body["error"] as? [String: Any])?["code"] as? String == code)
            }
            var headers = session.mutatingHeaders
            headers[.contentType] = "application/json"
            try await client.execute(uri: "/v1/files", method: .post, headers: headers, body: body(["file": "x"])) {
                response in
                #expect(response.status == .badRequest)
            }
            let rows = try await harness.postgres.query("SELECT count(*) FROM files", logger: Logger(label: "t"))
            for try await count in rows.decode(Int.self) { #expect(count == 0) }
            #expect((try? FileManager.default.contentsOfDirectory(atPath: storage + "/quarantine")) ?? [] == [])
        }
    }

    @Test func scanRejectsContentThatChangedAndDeleteRemovesTheFile() async throws {
        let storage = NSTemporaryDirectory() + "storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        try await BackendHarness.run(extra: ["STORAGE_DIR": storage]) { harness, client in
            let session = try await harness.signIn("scan@example.jo", client: client)
            let (_, first) = try await upload(tinyPNG, session: session, client: client)
            let badID = try #require((first["file"] as? [String: Any])?["id"] as? String)
            let areas = harness.settings.storageAreas()
            let stored = try #require(
                try await FileRepository(client: harness.postgres, logger: Logger(label: "t")).find(
                    id: UUID(uuidString: badID)!))
            try await areas.quarantine.put(
                key: stored.key, data: Data("%PDF-1.7 swapped".utf8), contentType: "application/pdf")

            #expect(try await scanner(harness).scan(fileID: stored.id) == .rejected)
            try await client.execute(uri: "/v1/files/\(badID)/signed-url", method: .get, headers: session.headers) {
                response in
                #expect(response.status == .conflict && errorCode(response) == "file_rejected")
            }

            let (_, second) = try await upload(
                Data("مرحبا بالعالم\n".utf8), name: "note.txt", session: session, client: client)
            let goodID = try #require((second["file"] as? [String: Any])?["id"] as? String)
            #expect(try await scanner(harness).scan(fileID: UUID(uuidString: goodID)!) == .ready)
            try await client.execute(uri: "/v1/files/\(goodID)", method: .delete, headers: session.mutatingHeaders) {
                response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/v1/files/\(goodID)", method: .get, headers: session.headers) { response in
                #expect(response.status == .notFound)
            }
            let assets = (try? FileManager.default.subpathsOfDirectory(atPath: storage + "/assets")) ?? []
            #expect(!assets.contains { $0.hasSuffix(".txt") })
        }
    }

    @Test func typesAreSniffedFromBytes() {
        #expect(FileType.sniff(tinyPNG) == .png)
        #expect(FileType.sniff(Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0])) == .jpeg)
        #expect(FileType.sniff(Data("%PDF-1.4\n".utf8)) == .pdf)
        #expect(FileType.sniff(Data([0, 0, 0, 0x18]) + Data("ftypmp42".utf8)) == .mp4)
        #expect(FileType.sniff(Data("سطر عربي\n".utf8)) == .txt)
        #expect(FileType.sniff(Data([0x50, 0x4B, 0x03, 0x04, 1, 2, 3])) == nil)
        #expect(FileType.sniff(Data([0, 1, 2, 3, 4])) == nil)
    }

    @Test func multipartKeepsArabicFileNamesAndBinaryBytes() throws {
        let bytes = Data([0, 13, 10, 45, 45, 255])
        let (headers, payload) = multipart(bytes, fileName: "سيرة ذاتية.pdf")
        let boundary = try #require(MultipartForm.boundary(contentType: headers[.contentType]))
        let form = try #require(MultipartForm(body: Data(payload.readableBytesView), boundary: boundary))
        #expect(form.parts.count == 1)
        #expect(form.parts[0].fileName == "سيرة ذاتية.pdf" && form.parts[0].data == bytes)
        #expect(FileRoutes.displayName("../../etc/passwd", type: .txt) == "passwd")
    }
}
