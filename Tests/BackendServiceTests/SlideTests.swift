import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import BackendService

/// A gateway stand-in answering `POST /v1/chat/complete` (non-streamed) in the gateway's own JSON shape.
final class FakeGateway: Sendable {
    enum Mode: Sendable { case model, demo, overQuota }
    let mode: Mode
    let authorizations = Mutex<[String]>([])
    /// The first words of each system prompt asked, in order (which step of a summary it was).
    let systems = Mutex<[String]>([])

    init(mode: Mode) { self.mode = mode }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1/chat/complete") { request, _ -> Response in
            self.authorizations.withLock { $0.append(request.headers[.authorization] ?? "") }
            let body =
                try JSONSerialization.jsonObject(
                    with: Data(buffer: try await request.body.collect(upTo: 1 << 20))) as? [String: Any] ?? [:]
            let system = body["system"] as? String ?? ""
            self.systems.withLock { $0.append(String(system.prefix(24))) }
            if system.hasPrefix("You take notes") || system.hasPrefix("You summarise"), self.mode != .overQuota {
                let content =
                    system.hasPrefix("You take notes")
                    ? "- ملاحظة عن هذا الجزء"
                    : #"{"title":"تقرير الربع","overview":"نمت المبيعات في عمّان.","key_points":["نمو 12٪"],"sections":[{"heading":"المبيعات","points":["نمو في عمّان"]}],"action_items":["مراجعة الأسعار"]}"#
                let reply: [String: Any] = [
                    "model": self.mode == .demo ? "demo-chat" : "gpt-4o-mini",
                    "provider": self.mode == .demo ? "demo" : "openai",
                    "content": self.mode == .demo ? "This is a demo reply." : content, "finish_reason": "stop",
                    "usage": ["input_tokens": 500, "output_tokens": 100, "billed": 600], "quota": ["state": "ok"],
                ]
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: reply))))
            }
            let count = Int(system.components(separatedBy: "Exactly ").last?.split(separator: " ").first ?? "") ?? 0
            if system.hasPrefix("You edit CV text"), self.mode == .model {
                let messages = body["messages"] as? [[String: Any]] ?? []
                let source =
                    (messages.first?["content"] as? String).flatMap {
                        try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                    } ?? [:]
                let jobs = (source["experience"] as? [[String: Any]] ?? []).map { job in
                    ["bullets": (job["bullets"] as? [String] ?? []).map { "Led: " + $0 }]
                }
                let edited = try JSONSerialization.data(withJSONObject: [
                    "summary": "Polished: " + (source["summary"] as? String ?? ""), "experience": jobs,
                ])
                let reply: [String: Any] = [
                    "model": "gpt-4o-mini", "provider": "openai", "content": String(decoding: edited, as: UTF8.self),
                    "finish_reason": "stop", "usage": ["input_tokens": 80, "output_tokens": 60, "billed": 140],
                    "quota": ["state": "ok"],
                ]
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: reply))))
            }
            switch self.mode {
            case .overQuota:
                let error =
                    #"{"error":{"code":"quota_exceeded","message":"Used up.","message_ar":"نفد الرصيد.","upgrade_url":"/app/account/"}}"#
                return Response(
                    status: .init(code: 402), headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: error)))
            case .demo, .model:
                let slides = (0..<count).map {
                    ["title": "محور \($0 + 1)", "bullets": ["نقطة أ", "نقطة ب"], "notes": "ملاحظة"]
                }
                let outline = try JSONSerialization.data(withJSONObject: [
                    "title": "الطاقة", "subtitle": "للطلاب", "slides": slides,
                ])
                let content = "```json\n" + String(decoding: outline, as: UTF8.self) + "\n```"
                let reply: [String: Any] = [
                    "model": self.mode == .demo ? "demo-chat" : "gpt-4o-mini",
                    "provider": self.mode == .demo ? "demo" : "openai",
                    "content": self.mode == .demo ? "This is a demo reply." : content, "finish_reason": "stop",
                    "usage": ["input_tokens": 50, "output_tokens": 200, "billed": 250],
                    "quota": ["state": "ok"],
                ]
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: reply))))
            }
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

struct SlideTests {
    static func outline(_ count: Int) -> [String: Any] {
        [
            "title": "الطاقة الشمسية", "subtitle": "لطلاب الجامعة",
            "slides": (0..<count).map { ["title": "محور \($0)", "bullets": ["أ", "ب"], "notes": "ملاحظة"] },
        ]
    }

    static func run(
        gateway mode: FakeGateway.Mode = .model,
        _ body: @escaping @Sendable (BackendHarness, any TestClientProtocol, Session, FakeGateway) async throws -> Void
    ) async throws {
        let gateway = FakeGateway(mode: mode)
        try await gateway.application().test(.live) { live in
            let storage = NSTemporaryDirectory() + "slides-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: storage) }
            try await BackendHarness.run(extra: [
                "STORAGE_DIR": storage, "CV_PDF_WAIT_SECONDS": "0",
                "GATEWAY_INTERNAL_URL": "http://127.0.0.1:\(live.port!)",
            ]) { harness, client in
                let session = try await harness.signIn(
                    "slides-\(UUID().uuidString.prefix(6))@example.jo", client: client)
                try await body(harness, client, session, gateway)
            }
        }
    }

    @Test func starterGets402AndProGetsADeckAndItsQueuedPDF() async throws {
        try await Self.run { harness, client, session, _ in
            try await CVTests.subscribe(harness, session, plan: "starter")
            try await client.execute(
                uri: "/v1/slides/generate", method: .post, headers: session.mutatingHeaders,
                body: body(["outline": Self.outline(3), "language": "ar"])
            ) { response in
                #expect(response.status.code == 402 && errorCode(response) == "plan_feature_required")
                #expect((json(response)["error"] as? [String: Any])?["upgrade_url"] as? String == "/app/account/")
            }
            try await harness.postgres.query("UPDATE subscriptions SET plan_id = 'pro'", logger: Logger(label: "t"))
            let link = try await client.execute(
                uri: "/v1/slides/generate", method: .post, headers: session.mutatingHeaders,
                body: body(["outline": Self.outline(4), "language": "ar", "theme": "midnight"])
            ) { response -> String in
                #expect(response.status == .ok)
                let files = try #require(json(response)["files"] as? [[String: Any]])
                #expect(files.map { $0["format"] as? String } == ["pptx", "pdf"])
                #expect(files[1]["status"] as? String == "pending" && files[1]["job_id"] is String)
                return try #require(files[0]["download_url"] as? String)
            }
            let url = try #require(URLComponents(string: link))
            try await client.execute(uri: url.path + "?" + (url.percentEncodedQuery ?? ""), method: .get) { response in
                let parts = try OOXMLPackage.parts(of: Data(buffer: response.body))
                #expect(parts.keys.filter { $0.hasPrefix("ppt/slides/slide") && $0.hasSuffix(".xml") }.count == 5)
            }
        }
    }

    @Test func decksOutsideThreeToTwentySlidesAreRefusedAndStoreNothing() async throws {
        try await Self.run { harness, client, session, _ in
            try await CVTests.subscribe(harness, session, plan: "creator")
            let bad: [[String: Any]] = [
                ["outline": Self.outline(0), "language": "ar"],
                ["outline": Self.outline(50), "language": "ar"],
                ["outline": ["title": "", "slides": Self.outline(3)["slides"]!], "language": "en"],
                [
                    "outline": [
                        "title": "x", "slides": [["title": "a", "bullets": []], ["title": "b", "bullets": ["c"]]],
                    ], "language": "en",
                ],
                ["outline": Self.outline(3), "language": "en", "theme": "neon"],
            ]
            for request in bad {
                try await client.execute(
                    uri: "/v1/slides/generate", method: .post, headers: session.mutatingHeaders, body: body(request)
                ) { response in #expect(response.status == .badRequest) }
            }
            for count in [0, 2, 21, 50] {
                try await client.execute(
                    uri: "/v1/slides/outline", method: .post, headers: session.mutatingHeaders,
                    body: body(["topic": "الطاقة", "slide_count": count, "language": "ar"])
                ) { response in #expect(response.status == .badRequest && errorCode(response) == "validation_failed") }
            }
            #expect(try await CVTests.count(harness, "files") == 0)
        }
    }

    @Test func theOutlineComesFromTheModelThroughTheGatewayAsTheUser() async throws {
        try await Self.run(gateway: .model) { harness, client, session, gateway in
            try await CVTests.subscribe(harness, session, plan: "pro")
            try await client.execute(
                uri: "/v1/slides/outline", method: .post, headers: session.mutatingHeaders,
                body: body(["topic": "الطاقة الشمسية", "slide_count": 6, "language": "ar", "points": ["الكلفة"]])
            ) { response in
                #expect(response.status == .ok)
                let object = json(response)
                #expect(object["source"] as? String == "ai")
                #expect(((object["outline"] as? [String: Any])?["slides"] as? [Any])?.count == 5)
            }
            let token =
                session.cookie.components(separatedBy: "session=").last?.components(separatedBy: ";").first ?? ""
            #expect(gateway.authorizations.withLock { $0 } == ["Bearer \(token)"])
        }
    }

    @Test func withTheOfflineDemoTheOutlineIsATemplateOfTheRequestedSize() async throws {
        try await Self.run(gateway: .demo) { harness, client, session, _ in
            try await CVTests.subscribe(harness, session, plan: "pro")
            try await client.execute(
                uri: "/v1/slides/outline", method: .post, headers: session.mutatingHeaders,
                body: body([
                    "topic": "Solar energy", "slide_count": 7, "language": "en", "points": ["Cost", "Storage"],
                ])
            ) { response in
                let object = json(response)
                #expect(object["source"] as? String == "template")
                let slides = (object["outline"] as? [String: Any])?["slides"] as? [[String: Any]] ?? []
                #expect(slides.count == 6)
                #expect(slides.map { $0["title"] as? String }.contains("Cost"))
            }
        }
    }

    @Test func theGatewaysRefusalIsPassedOn() async throws {
        try await Self.run(gateway: .overQuota) { harness, client, session, _ in
            try await CVTests.subscribe(harness, session, plan: "pro")
            try await client.execute(
                uri: "/v1/slides/outline", method: .post, headers: session.mutatingHeaders,
                body: body(["topic": "x", "slide_count": 3, "language": "en"])
            ) { response in
                #expect(response.status.code == 402 && errorCode(response) == "quota_exceeded")
                #expect((json(response)["error"] as? [String: Any])?["message_ar"] as? String == "نفد الرصيد.")
            }
        }
    }

    @Test func polishUsesTheModelsWordingOnlyWhenItKeepsTheShape() async throws {
        try await Self.run(gateway: .model) { harness, client, session, gateway in
            try await CVTests.subscribe(harness, session, plan: "starter")
            try await client.execute(
                uri: "/v1/cv/generate", method: .post, headers: session.mutatingHeaders,
                body: body(["form": CVTests.form, "language": "ar", "formats": ["docx"], "polish": true])
            ) { response in
                #expect(response.status == .ok)
                #expect(json(response)["polished"] as? Bool == true)
                let link = try #require(
                    (json(response)["files"] as? [[String: Any]])?.first?["download_url"] as? String)
                let url = try #require(URLComponents(string: link))
                try await client.execute(uri: url.path + "?" + (url.percentEncodedQuery ?? ""), method: .get) { file in
                    let xml = String(
                        decoding: try OOXMLPackage.parts(of: Data(buffer: file.body))["word/document.xml"] ?? Data(),
                        as: UTF8.self)
                    // The English prefix keeps its own left-to-right run; ": " goes with the Arabic after it.
                    #expect(xml.contains(">Polished</w:t>") && xml.contains(">Led</w:t>"))
                    #expect(xml.contains("سارة أحمد"))
                }
            }
            #expect(gateway.authorizations.withLock { $0.count } == 1)
        }
        try await Self.run(gateway: .demo) { harness, client, session, _ in
            try await CVTests.subscribe(harness, session, plan: "starter")
            try await client.execute(
                uri: "/v1/cv/generate", method: .post, headers: session.mutatingHeaders,
                body: body(["form": CVTests.form, "language": "ar", "formats": ["docx"], "polish": true])
            ) { response in #expect(json(response)["polished"] as? Bool == false) }
        }
    }
}
