import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import BackendService

/// The advanced editors (the Creator plan's `advanced_editors`): caption styles, joined clips and fades on
/// `POST /v1/files/{id}/edit`, and `POST /v1/files/{id}/image-edit`.
struct EditorTests {
    /// A user's ready video and picture ids.
    static func media(_ harness: BackendHarness, _ session: Session, client: any TestClientProtocol) async throws
        -> (videos: [String], image: String)
    {
        let files = FileTests()
        // An ISO-BMFF header is enough for the type check; the worker checks the rest.
        let mp4 = Data([0, 0, 0, 0x18] + Array("ftypisom".utf8) + [0, 0, 2, 0] + Array("isomiso2".utf8))
        var videos: [String] = []
        for name in ["one.mp4", "two.mp4"] {
            let (_, uploaded) = try await files.upload(mp4, name: name, session: session, client: client)
            let id = try #require((uploaded["file"] as? [String: Any])?["id"] as? String)
            try await harness.postgres.query(
                "UPDATE files SET status = 'ready' WHERE id = \(UUID(uuidString: id)!)", logger: Logger(label: "t"))
            videos.append(id)
        }
        let (_, image) = try await files.upload(tinyPNG, session: session, client: client)
        let imageID = try #require((image["file"] as? [String: Any])?["id"] as? String)
        _ = try await files.scanner(harness).scan(fileID: UUID(uuidString: imageID)!)
        return (videos, imageID)
    }

    static func jobs(_ harness: BackendHarness, _ session: Session, kind: String) async throws -> [String] {
        let rows = try await harness.postgres.query(
            "SELECT payload_json::text FROM jobs WHERE user_id = \(UUID(uuidString: session.userID)!) AND kind = \(kind)",
            logger: Logger(label: "t"))
        var payloads: [String] = []
        for try await payload in rows.decode(String.self) { payloads.append(payload) }
        return payloads
    }

    static var styled: [String: Any] {
        [
            "start": 1, "end": 5, "fade_in": 1, "fade_out": 0.5,
            "captions": [["start": 1.5, "end": 3, "text": "عنوان المقطع"]],
            "caption_style": [
                "size": 10, "color": "#ffff00", "background": "box", "background_color": "#ff0000", "position": "top",
                "font": "kufi",
            ],
        ]
    }

    static var poster: [String: Any] {
        [
            "preset": "story", "fit": "contain", "background": "#00ff00", "brightness": 20, "saturation": -30,
            "layers": [
                ["text": "خصم ٥٠٪ هذا الأسبوع", "font": "kufi", "size": 8, "color": "#ff0000", "x": 50, "y": 20]
            ],
        ]
    }

    @Test func starterAndProSeeTheAdvancedEditorsLockedAndPlainEditsStillWork() async throws {
        let storage = NSTemporaryDirectory() + "storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        try await BackendHarness.run(extra: ["STORAGE_DIR": storage]) { harness, client in
            for plan in ["starter", "pro"] {
                let session = try await harness.signIn("\(plan)-editor@example.jo", client: client)
                try await CVTests.subscribe(harness, session, plan: plan)
                let (videos, image) = try await Self.media(harness, session, client: client)
                let advanced: [[String: Any]] = [
                    Self.styled, ["join": [videos[1]]], ["fade_out": 2],
                    ["caption_style": ["position": "middle"], "captions": [["start": 0, "end": 1, "text": "x"]]],
                ]
                for request in advanced {
                    try await client.execute(
                        uri: "/v1/files/\(videos[0])/edit", method: .post, headers: session.mutatingHeaders,
                        body: body(request)
                    ) { response in
                        #expect(response.status.code == 402, "\(plan) \(request)")
                        #expect(errorCode(response) == "plan_feature_required")
                        let error = json(response)["error"] as? [String: Any]
                        #expect(error?["feature"] as? String == "advanced_editors")
                        #expect(error?["upgrade_url"] as? String == "/app/account/")
                    }
                }
                try await client.execute(
                    uri: "/v1/files/\(image)/image-edit", method: .post, headers: session.mutatingHeaders,
                    body: body(Self.poster)
                ) { response in #expect(errorCode(response) == "plan_feature_required") }
                #expect(try await Self.jobs(harness, session, kind: "image_edit").isEmpty)
                #expect(try await Self.jobs(harness, session, kind: "video_edit").isEmpty)
                // Trimming and plain captions stay open to every plan.
                try await client.execute(
                    uri: "/v1/files/\(videos[0])/edit", method: .post, headers: session.mutatingHeaders,
                    body: body(["start": 1, "captions": [["start": 1, "end": 2, "text": "مرحبا"]]])
                ) { response in #expect(response.status == .accepted) }
                #expect(try await Self.jobs(harness, session, kind: "video_edit").count == 1)
            }
        }
    }

    @Test func aCreatorQueuesStyledJoinedFadedEditsAndPosterEditsAndBadInputChangesNothing() async throws {
        let storage = NSTemporaryDirectory() + "storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        try await BackendHarness.run(extra: ["STORAGE_DIR": storage]) { harness, client in
            let session = try await harness.signIn("creator-editor@example.jo", client: client)
            try await CVTests.subscribe(harness, session, plan: "creator")
            let (videos, image) = try await Self.media(harness, session, client: client)
            let stranger = try await harness.signIn("someone-else@example.jo", client: client)
            let (theirs, _) = try await Self.media(harness, stranger, client: client)

            let badVideo: [([String: Any], String)] = [
                (["fade_in": 9], "validation_failed"), (["fade_out": -1], "validation_failed"),
                (["join": Array(repeating: videos[1], count: 2)], "validation_failed"),
                (["join": (0..<6).map { _ in UUID().uuidString }], "validation_failed"),
                (["caption_style": ["size": 40]], "validation_failed"),
                (["caption_style": ["color": "yellow"]], "validation_failed"),
                (["join": [theirs[0]]], "not_found"), (["join": [image]], "not_a_video"),
                (["join": [videos[0]]], "validation_failed"),
            ]
            for (request, code) in badVideo {
                try await client.execute(
                    uri: "/v1/files/\(videos[0])/edit", method: .post, headers: session.mutatingHeaders,
                    body: body(request)
                ) { response in #expect(errorCode(response) == code, "\(request)") }
            }
            let badImage: [([String: Any], String)] = [
                (["brightness": 150], "validation_failed"), (["contrast": -101], "validation_failed"),
                (["layers": [["text": "  "]]], "validation_failed"),
                (["layers": [["text": "x", "color": "red"]]], "validation_failed"),
                (["layers": [["text": "x", "x": 120]]], "validation_failed"),
                (["layers": (0..<11).map { _ in ["text": "x"] }], "validation_failed"),
                (["preset": "story", "background": "green"], "validation_failed"),
                (["preset": "story", "format": "gif"], "validation_failed"),
                (["preset": "tiktok_banner"], "validation_failed"),
                (["preset": "story", "fit": "stretch"], "validation_failed"),
                ([:], "validation_failed"),
            ]
            for (request, code) in badImage {
                try await client.execute(
                    uri: "/v1/files/\(image)/image-edit", method: .post, headers: session.mutatingHeaders,
                    body: body(request)
                ) { response in
                    #expect(response.status == .badRequest, "\(request)")
                    #expect(errorCode(response) == code, "\(request)")
                    #expect((json(response)["error"] as? [String: Any])?["message_ar"] as? String != nil)
                }
            }
            try await client.execute(
                uri: "/v1/files/\(videos[0])/image-edit", method: .post, headers: session.mutatingHeaders,
                body: body(Self.poster)
            ) { response in #expect(errorCode(response) == "not_an_image") }
            #expect(try await Self.jobs(harness, session, kind: "image_edit").isEmpty)
            #expect(try await Self.jobs(harness, session, kind: "video_edit").isEmpty)

            var styled = Self.styled
            styled["join"] = [videos[1]]
            try await client.execute(
                uri: "/v1/files/\(videos[0])/edit", method: .post, headers: session.mutatingHeaders, body: body(styled)
            ) { response in #expect(response.status == .accepted) }
            let videoJob = try #require(try await Self.jobs(harness, session, kind: "video_edit").first)
            let queuedEdit = try JSONDecoder.studio.decode(JobPayloads.VideoEdit.self, from: Data(videoJob.utf8))
            #expect(queuedEdit.join == [UUID(uuidString: videos[1])!])
            #expect(queuedEdit.fadeIn == 1 && queuedEdit.fadeOut == 0.5)
            #expect(
                queuedEdit.style
                    == EditOptions.CaptionStyle(
                        size: 10, color: "#ffff00", background: .box, backgroundColor: "#ff0000", position: .top,
                        font: .kufi))

            try await client.execute(
                uri: "/v1/files/\(image)/image-edit", method: .post, headers: session.mutatingHeaders,
                body: body(Self.poster)
            ) { response in
                #expect(response.status == .accepted)
                #expect((json(response)["job"] as? [String: Any])?["kind"] as? String == "image_edit")
            }
            let imageJob = try #require(try await Self.jobs(harness, session, kind: "image_edit").first)
            let queuedPoster = try JSONDecoder.studio.decode(JobPayloads.ImageEdit.self, from: Data(imageJob.utf8))
            #expect(
                queuedPoster.preset == .story && queuedPoster.fit == .contain && queuedPoster.background == "#00ff00")
            #expect(queuedPoster.brightness == 20 && queuedPoster.saturation == -30 && queuedPoster.contrast == 0)
            #expect(
                queuedPoster.layers.first?.text == "خصم ٥٠٪ هذا الأسبوع" && queuedPoster.layers.first?.font == .kufi)
            #expect(queuedPoster.layers.first?.outline == 8 && queuedPoster.format == .png)
        }
    }
}
