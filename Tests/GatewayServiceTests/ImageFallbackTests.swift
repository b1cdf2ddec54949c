import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import GatewayService

/// The fake image providers of one test, live on loopback, and where the gateway stores its files.
struct ImageFakes: Sendable {
    let replicate = FakeReplicate()
    let stability = FakeStability()
    let nanoBanana = FakeNanoBanana()
    let storage = NSTemporaryDirectory() + "gw-storage-\(UUID().uuidString)"

    /// Runs a gateway whose keys are set only for `providers` ("google", "replicate", "stability").
    static func run(
        _ providers: Set<String>,
        _ body: @escaping @Sendable (ImageFakes, GatewayHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        let fakes = ImageFakes()
        defer { try? FileManager.default.removeItem(atPath: fakes.storage) }
        try await fakes.replicate.application().test(.live) { replicate in
            try await fakes.stability.application().test(.live) { stability in
                try await fakes.nanoBanana.application().test(.live) { nanoBanana in
                    var extra = ["STORAGE_DIR": fakes.storage]
                    if providers.contains("google") {
                        extra["NANO_BANANA_API_KEY"] = "g-test"
                        extra["NANO_BANANA_BASE_URL"] = "http://127.0.0.1:\(try #require(nanoBanana.port))"
                    }
                    if providers.contains("replicate") {
                        extra["REPLICATE_API_TOKEN"] = FakeReplicate.token
                        extra["REPLICATE_BASE_URL"] = "http://127.0.0.1:\(try #require(replicate.port))"
                    }
                    if providers.contains("stability") {
                        extra["STABILITY_API_KEY"] = FakeStability.apiKey
                        extra["STABILITY_BASE_URL"] = "http://127.0.0.1:\(try #require(stability.port))"
                    }
                    try await GatewayHarness.run(extra: extra) { harness, client in
                        try await body(fakes, harness, client)
                    }
                }
            }
        }
    }

    /// Checks that every image of an answer is stored for `userID` as a real PNG.
    func expectStoredPNGs(_ answer: [String: Any], userID: UUID, harness: GatewayHarness) async throws {
        let files = FileRepository(client: harness.postgres, logger: Logger(label: "t"))
        for image in answer["images"] as? [[String: Any]] ?? [] {
            let id = try #require(UUID(uuidString: image["file_id"] as? String ?? ""))
            let file = try #require(try await files.find(id: id, userID: userID))
            let data = try #require(FileManager.default.contents(atPath: storage + "/assets/" + file.key))
            #expect(FileType.sniff(data) == .png && file.kind == "image")
            #expect(image["content_type"] as? String == "image/png")
        }
    }
}

struct ImageFallbackTests {
    func generate(_ body: [String: Any], _ headers: HTTPFields, _ client: any TestClientProtocol) async throws -> (
        Int, [String: Any]
    ) {
        try await ImageTests().generate(body, headers: headers, client: client)
    }

    func used(_ answer: [String: Any]) -> Int? { (answer["quota"] as? [String: Any])?["used"] as? Int }

    func errorCode(_ answer: [String: Any]) -> String? { (answer["error"] as? [String: Any])?["code"] as? String }

    @Test func replicateAnswersInOneSynchronousPrediction() async throws {
        try await ImageFakes.run(["replicate"]) { fakes, harness, client in
            let (userID, headers) = try await harness.user()
            let prompt = "نخلة في واحة عند الغروب"
            let (status, answer) = try await generate(
                ["model": "flux-schnell", "prompt": prompt, "count": 2, "aspect_ratio": "16:9"], headers, client)

            #expect(status == 200)
            #expect(answer["model"] as? String == "flux-schnell" && answer["provider"] as? String == "replicate")
            #expect((answer["images"] as? [[String: Any]])?.count == 2)
            try await fakes.expectStoredPNGs(answer, userID: userID, harness: harness)
            #expect(used(answer) == 2)
            #expect(try await harness.billedTokens(userID) == 2)
            let create = try #require(fakes.replicate.creates.withLock { $0 }.first)
            #expect(create.path == "/v1/models/black-forest-labs/flux-schnell/predictions")
            #expect(create.header("authorization") == "Bearer \(FakeReplicate.token)")
            #expect(create.header("prefer")?.hasPrefix("wait") == true)
            let input = try #require(create.json["input"] as? [String: Any])
            #expect(input["prompt"] as? String == prompt && input["aspect_ratio"] as? String == "16:9")
            #expect(input["num_outputs"] as? Int == 2 && input["output_format"] as? String == "png")
            #expect(fakes.replicate.polls.load(ordering: .relaxed) == 0)
            let downloads = fakes.replicate.downloads.withLock { $0 }
            #expect(downloads.count == 2 && downloads.allSatisfy { $0.header("authorization") == nil })
        }
    }

    @Test func replicatePredictionIsPolledUntilItSucceeds() async throws {
        try await ImageFakes.run(["replicate"]) { fakes, harness, client in
            let (userID, headers) = try await harness.user()
            let (status, answer) = try await generate(
                ["model": "flux-schnell", "prompt": "a slow sunrise over Petra", "aspect_ratio": "3:4"], headers,
                client)

            #expect(status == 200)
            #expect((answer["images"] as? [[String: Any]])?.count == 1)
            try await fakes.expectStoredPNGs(answer, userID: userID, harness: harness)
            #expect(fakes.replicate.polls.load(ordering: .relaxed) == 2)
            let input = fakes.replicate.creates.withLock { $0 }.first?.json["input"] as? [String: Any]
            #expect(input?["aspect_ratio"] as? String == "3:4")
        }
    }

    @Test func stabilityAnswersInJSONWithOneCallPerImage() async throws {
        try await ImageFakes.run(["stability"]) { fakes, harness, client in
            let (userID, headers) = try await harness.user()
            let prompt = "قلعة عجلون تحت الثلج"
            let (status, answer) = try await generate(
                ["model": "stable-image-core", "prompt": prompt, "count": 2, "aspect_ratio": "2:3"], headers, client)
            let (wide, _) = try await generate(
                ["model": "stable-image-core", "prompt": "the same castle", "aspect_ratio": "4:3"], headers, client)

            #expect(status == 200 && wide == 200)
            #expect(answer["model"] as? String == "stable-image-core" && answer["provider"] as? String == "stability")
            try await fakes.expectStoredPNGs(answer, userID: userID, harness: harness)
            #expect(used(answer) == 2)
            let calls = fakes.stability.calls.withLock { $0 }
            #expect(calls.count == 3)
            #expect(calls.allSatisfy { $0.path == "/v2beta/stable-image/generate/core" })
            #expect(calls.allSatisfy { $0.header("authorization") == "Bearer \(FakeStability.apiKey)" })
            #expect(calls.allSatisfy { $0.header("accept") == "application/json" })
            let forms = fakes.stability.forms
            #expect(forms[0] == ["prompt": prompt, "aspect_ratio": "2:3", "output_format": "png"])
            #expect(forms[1] == forms[0])
            // Stability has no 4:3; its nearest ratio is 5:4.
            #expect(forms[2]["aspect_ratio"] == "5:4")
        }
    }

    @Test func safetyRefusalsAreContentBlockedAndFree() async throws {
        try await ImageFakes.run(["replicate", "stability"]) { fakes, harness, client in
            let (userID, headers) = try await harness.user()
            for model in ["flux-schnell", "stable-image-core"] {
                let (status, answer) = try await generate(
                    ["model": model, "prompt": "something unsafe"], headers, client)

                #expect(status == 422, "\(model)")
                #expect(errorCode(answer) == "content_blocked")
            }
            #expect(try await harness.billedTokens(userID) == 0)
            #expect(fakes.replicate.downloads.withLock { $0 }.isEmpty)
        }
    }

    @Test func nanoBananaOutageFallsBackToReplicate() async throws {
        try await ImageFakes.run(["google", "replicate"]) { fakes, harness, client in
            let (userID, headers) = try await harness.user()
            let (status, answer) = try await generate(
                ["prompt": "when the service is down", "count": 2, "aspect_ratio": "9:16"], headers, client)

            #expect(status == 200)
            #expect(answer["model"] as? String == "flux-schnell" && answer["provider"] as? String == "replicate")
            try await fakes.expectStoredPNGs(answer, userID: userID, harness: harness)
            #expect(used(answer) == 2)
            #expect(try await harness.billedTokens(userID) == 2)
            #expect(fakes.nanoBanana.calls.load(ordering: .relaxed) == 1)
            let input = fakes.replicate.creates.withLock { $0 }.first?.json["input"] as? [String: Any]
            #expect(input?["prompt"] as? String == "when the service is down")
            #expect(input?["aspect_ratio"] as? String == "9:16")
            // Stability has no key here, so the chain skips it.
            #expect(fakes.stability.calls.withLock { $0 }.isEmpty)
        }
    }

    @Test func eachFallbackIsTriedInTurn() async throws {
        try await ImageFakes.run(["google", "replicate", "stability"]) { fakes, harness, client in
            let (_, headers) = try await harness.user()
            let (status, answer) = try await generate(
                ["prompt": "down and broken everywhere"], headers, client)

            #expect(status == 200)
            #expect(answer["model"] as? String == "stable-image-core")
            #expect(fakes.nanoBanana.calls.load(ordering: .relaxed) == 1)
            #expect(fakes.replicate.creates.withLock { $0 }.count == 1)
            #expect(fakes.stability.forms.first?["prompt"] == "down and broken everywhere")
        }
    }

    @Test func quotaCountsOnlyTheImagesStored() async throws {
        try await ImageFakes.run(["replicate"]) { fakes, harness, client in
            let (userID, headers) = try await harness.user()
            let (status, answer) = try await generate(
                ["model": "flux-schnell", "prompt": "half of a pair", "count": 2], headers, client)

            #expect(status == 200)
            #expect((answer["images"] as? [[String: Any]])?.count == 1)
            #expect(used(answer) == 1)
            #expect(try await harness.billedTokens(userID) == 1)
            #expect(fakes.replicate.downloads.withLock { $0 }.count == 2)
        }
    }
}
