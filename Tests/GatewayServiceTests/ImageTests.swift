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

/// A fake Gemini `generateContent` for Nano Banana: the prompt picks the answer.
final class FakeNanoBanana: Sendable {
    let calls = Atomic<Int>(0)
    /// The `inlineData` parts of the last request (a picture to edit), as (mime type, bytes).
    let inputs = Mutex<[(String, Data)]>([])
    static let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1beta/models/:call") { request, context -> Response in
            self.calls.add(1, ordering: .relaxed)
            guard request.headers[HTTPField.Name("x-goog-api-key")!] == "g-test" else {
                return Response(status: .badRequest)
            }
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
            let prompt =
                ((json["contents"] as? [[String: Any]])?.first?["parts"] as? [[String: Any]])?.first?["text"] as? String
                ?? ""
            let parts = ((json["contents"] as? [[String: Any]])?.first?["parts"] as? [[String: Any]]) ?? []
            let pictures = parts.compactMap { part -> (String, Data)? in
                guard let inline = part["inlineData"] as? [String: Any], let type = inline["mimeType"] as? String,
                    let data = (inline["data"] as? String).flatMap({ Data(base64Encoded: $0) })
                else { return nil }
                return (type, data)
            }
            self.inputs.withLock { $0 = pictures }
            let modalities = (json["generationConfig"] as? [String: Any])?["responseModalities"] as? [String]
            guard context.parameters.get("call") == "gemini-2.5-flash-image:generateContent", modalities == ["IMAGE"]
            else {
                return Response(status: .notFound)
            }
            let answer: String
            if prompt.contains("unsafe") {
                answer =
                    #"{"candidates":[{"content":{"role":"model","parts":[]},"finishReason":"IMAGE_SAFETY","index":0}]}"#
            } else if prompt.contains("down") {
                return Response(
                    status: .serviceUnavailable, headers: [.contentType: "application/json"],
                    body: .init(
                        byteBuffer: ByteBuffer(
                            string: #"{"error":{"code":503,"message":"unavailable","status":"UNAVAILABLE"}}"#)))
            } else {
                answer =
                    #"{"candidates":[{"content":{"role":"model","parts":[{"text":"Here you go."},{"inlineData":{"mimeType":"image/png","data":"\#(Self.png)"}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":1290,"totalTokenCount":1297}}"#
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

struct ImageTests {
    func generate(_ body: [String: Any], headers: HTTPFields, client: any TestClientProtocol) async throws -> (
        Int, [String: Any]
    ) {
        try await client.execute(
            uri: "/v1/images/generate", method: .post, headers: headers,
            body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
        ) { response in (response.status.code, json(response)) }
    }

    @Test func demoDrawsImagesStoresThemAndCountsThem() async throws {
        let storage = NSTemporaryDirectory() + "gw-storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        try await GatewayHarness.run(extra: ["STORAGE_DIR": storage]) { harness, client in
            let (userID, headers) = try await harness.user()
            let (status, body) = try await generate(
                ["prompt": "قطة على سطح منزل في عمّان", "count": 2, "aspect_ratio": "16:9"], headers: headers,
                client: client)
            #expect(status == 200)
            #expect(body["model"] as? String == "demo-image" && body["demo"] as? Bool == true)
            let images = try #require(body["images"] as? [[String: Any]])
            #expect(images.count == 2)
            #expect((body["quota"] as? [String: Any])?["used"] as? Int == 2)
            let files = FileRepository(client: harness.postgres, logger: Logger(label: "t"))
            for image in images {
                let id = try #require(UUID(uuidString: image["file_id"] as? String ?? ""))
                let file = try #require(try await files.find(id: id, userID: userID))
                #expect(file.status == .ready && file.kind == "image")
                let data = try #require(FileManager.default.contents(atPath: storage + "/assets/" + file.key))
                #expect(FileType.sniff(data) == .png)
                #expect((image["url"] as? String)?.contains("/v1/blobs/assets/") == true)
            }
        }
    }

    @Test func nanoBananaIsCalledInItsFormatAndRefusalsAreClear() async throws {
        let fake = FakeNanoBanana()
        try await fake.application().test(.live) { live in
            let port = try #require(live.port)
            let storage = NSTemporaryDirectory() + "gw-storage-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: storage) }
            try await GatewayHarness.run(
                extra: [
                    "STORAGE_DIR": storage, "NANO_BANANA_API_KEY": "g-test",
                    "NANO_BANANA_BASE_URL": "http://127.0.0.1:\(port)",
                ]
            ) { harness, client in
                let (_, headers) = try await harness.user()
                let (status, body) = try await generate(
                    ["prompt": "a lemon tree", "count": 1], headers: headers, client: client)
                #expect(status == 200)
                #expect(body["model"] as? String == "nano-banana" && body["demo"] as? Bool == false)
                #expect((body["images"] as? [[String: Any]])?.first?["content_type"] as? String == "image/png")

                let (refused, error) = try await generate(
                    ["prompt": "something unsafe"], headers: headers, client: client)
                #expect(refused == 422 && (error["error"] as? [String: Any])?["code"] as? String == "content_blocked")
                let (down, _) = try await generate(
                    ["prompt": "when the service is down"], headers: headers, client: client)
                #expect(down == 502)
            }
            #expect(fake.calls.load(ordering: .relaxed) == 3)
        }
    }

    @Test func anUploadedPictureIsEditedByNanoBananaAndOnlyByAModelThatCanEdit() async throws {
        let fake = FakeNanoBanana()
        try await fake.application().test(.live) { live in
            let port = try #require(live.port)
            let storage = NSTemporaryDirectory() + "gw-storage-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: storage) }
            try await GatewayHarness.run(
                extra: [
                    "STORAGE_DIR": storage, "NANO_BANANA_API_KEY": "g-test",
                    "NANO_BANANA_BASE_URL": "http://127.0.0.1:\(port)",
                ]
            ) { harness, client in
                let (userID, headers) = try await harness.user()
                let files = FileRepository(client: harness.postgres, logger: Logger(label: "t"))
                let picture = try #require(Data(base64Encoded: FakeNanoBanana.png))
                let id = UUID()
                let key = "users/\(userID.uuidString.lowercased())/\(id.uuidString.lowercased()).png"
                try FileManager.default.createDirectory(
                    atPath: storage + "/assets/users/\(userID.uuidString.lowercased())",
                    withIntermediateDirectories: true)
                try picture.write(to: URL(fileURLWithPath: storage + "/assets/" + key))
                _ = try await files.createReady(
                    id: id, userID: userID, type: .png, key: key, bytes: Int64(picture.count), name: "mine.png")

                let (status, body) = try await generate(
                    ["prompt": "اجعل السماء بنفسجية", "input_file_id": id.uuidString], headers: headers, client: client)
                #expect(status == 200 && body["model"] as? String == "nano-banana")
                let sent = fake.inputs.withLock { $0 }
                #expect(sent.count == 1 && sent.first?.0 == "image/png" && sent.first?.1 == picture)
                // The demo cannot edit; another user's file, or a file still being checked, is refused.
                let (demo, refusal) = try await generate(
                    ["model": "demo-image", "prompt": "x", "input_file_id": id.uuidString], headers: headers,
                    client: client)
                #expect(demo == 400 && (refusal["error"] as? [String: Any])?["code"] as? String == "model_cannot_edit")
                let (_, stranger) = try await harness.user()
                #expect(
                    try await generate(
                        ["prompt": "x", "input_file_id": id.uuidString], headers: stranger, client: client
                    )
                    .0 == 404)
                let pending = try await files.create(
                    id: UUID(), userID: userID, type: .png, key: "q-\(UUID())", bytes: 1, name: "later.png")
                let (notReady, waiting) = try await generate(
                    ["prompt": "x", "input_file_id": pending.id.uuidString], headers: headers, client: client)
                #expect(notReady == 409 && (waiting["error"] as? [String: Any])?["code"] as? String == "file_not_ready")
            }
            #expect(fake.calls.load(ordering: .relaxed) == 1)
        }
    }

    @Test func imageQuotaAndBadInputAreRefusedBeforeDrawing() async throws {
        try await GatewayHarness.run { harness, client in
            let (userID, headers) = try await harness.user()
            try await harness.postgres.query(
                "INSERT INTO usage_logs (user_id, kind, amount, model) VALUES (\(userID), 'images', 9, 'seed')",
                logger: Logger(label: "t"))
            let (over, body) = try await generate(["prompt": "two more", "count": 2], headers: headers, client: client)
            #expect(over == 402 && (body["error"] as? [String: Any])?["code"] as? String == "quota_exceeded")
            for bad: [String: Any] in [
                ["prompt": ""], ["prompt": "x", "count": 9], ["prompt": "x", "aspect_ratio": "5:1"],
            ] {
                let (status, _) = try await generate(bad, headers: headers, client: client)
                #expect(status == 400)
            }
            let (ok, _) = try await generate(["prompt": "the last one"], headers: headers, client: client)
            #expect(ok == 200)
        }
    }

    @Test func pngEncoderWritesAValidImage() throws {
        let data = PNGEncoder.encode(width: 3, height: 2, rgba: [UInt8](repeating: 200, count: 24))
        #expect(FileType.sniff(data) == .png)
        // The length and type of IHDR, and the well-known CRC of an IEND chunk.
        #expect(Array(data[8..<16]) == [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
        #expect(PNGEncoder.crc32(Array("IEND".utf8)) == 0xAE42_6082)
    }
}
