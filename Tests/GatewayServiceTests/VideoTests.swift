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

/// A fake Veo `predictLongRunning`: answers with an operation name, or fails when the prompt says so.
final class FakeVeo: Sendable {
    let calls = Atomic<Int>(0)
    let lastBody = Mutex<Data?>(nil)

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1beta/models/:call") { request, context -> Response in
            self.calls.add(1, ordering: .relaxed)
            guard request.headers[HTTPField.Name("x-goog-api-key")!] == "veo-test",
                context.parameters.get("call") == "veo-3.0-generate-001:predictLongRunning"
            else { return Response(status: .notFound) }
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
            let raw = Data(body.readableBytesView)
            self.lastBody.withLock { $0 = raw }
            let prompt = ((json["instances"] as? [[String: Any]])?.first?["prompt"] as? String) ?? ""
            if prompt.contains("fail") {
                return Response(
                    status: .internalServerError, headers: [.contentType: "application/json"],
                    body: .init(
                        byteBuffer: ByteBuffer(
                            string: #"{"error":{"code":500,"message":"internal","status":"INTERNAL"}}"#)))
            }
            let answer = #"{"name":"models/veo-3.0-generate-001/operations/op-123","metadata":{},"done":false}"#
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

/// Runway's `POST /v1/text_to_video`: checks the key and the API version header, keeps the body.
final class FakeRunway: Sendable {
    let lastBody = Mutex<Data?>(nil)

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1/text_to_video") { request, _ -> Response in
            guard request.headers[.authorization] == "Bearer runway-test",
                request.headers[HTTPField.Name("X-Runway-Version")!] == "2024-11-06"
            else { return Response(status: .unauthorized) }
            let body = Data(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            self.lastBody.withLock { $0 = body }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"id":"17f20503-6c24-4c16-946b-35dbbce2af2f"}"#)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

struct VideoTests {
    func start(_ body: [String: Any], headers: HTTPFields, client: any TestClientProtocol) async throws -> (
        Int, [String: Any]
    ) {
        try await client.execute(
            uri: "/v1/video/generate", method: .post, headers: headers,
            body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
        ) { response in (response.status.code, json(response)) }
    }

    @Test func demoVideoJobIsQueuedAndCountsAgainstTheVideoAllowance() async throws {
        try await GatewayHarness.run { harness, client in
            let (userID, headers) = try await harness.user()
            var jobIDs: [String] = []
            for _ in 0..<2 {
                let (status, body) = try await start(
                    ["prompt": "غروب الشمس فوق البتراء", "duration_s": 6], headers: headers, client: client)
                #expect(status == 202 && body["status"] as? String == "queued" && body["demo"] as? Bool == true)
                jobIDs.append(body["job_id"] as? String ?? "")
            }
            let (third, error) = try await start(["prompt": "one more"], headers: headers, client: client)
            #expect(third == 402 && (error["error"] as? [String: Any])?["code"] as? String == "quota_exceeded")

            let jobs = JobRepository(client: harness.postgres, logger: Logger(label: "t"))
            let job = try #require(try await jobs.find(id: UUID(uuidString: jobIDs[0])!))
            #expect(job.kind == .videoGenerate && job.status == .queued && job.userID == userID)
            let payload = try JSONDecoder.studio.decode(
                JobPayloads.VideoGenerate.self, from: Data(job.payloadJSON.utf8))
            #expect(payload.durationSeconds == 6 && payload.operation == nil && payload.reservation.kind == "video")

            try await client.execute(uri: "/v1/video/jobs/\(jobIDs[0])", method: .get, headers: headers) { response in
                #expect(json(response)["status"] as? String == "queued")
            }
            let (_, other) = try await harness.user()
            try await client.execute(uri: "/v1/video/jobs/\(jobIDs[0])", method: .get, headers: other) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func veoIsStartedInItsFormatAndFailuresReleaseTheReservation() async throws {
        let fake = FakeVeo()
        try await fake.application().test(.live) { live in
            let port = try #require(live.port)
            try await GatewayHarness.run(extra: [
                "VEO3_API_KEY": "veo-test", "VEO3_BASE_URL": "http://127.0.0.1:\(port)",
            ]) {
                harness, client in
                let (_, headers) = try await harness.user()
                for _ in 0..<3 {
                    let (failed, body) = try await start(["prompt": "this will fail"], headers: headers, client: client)
                    #expect(failed == 502 && (body["error"] as? [String: Any])?["code"] as? String == "provider_error")
                }
                let (status, body) = try await start(
                    ["prompt": "a falcon over Wadi Rum", "duration_s": 8, "aspect_ratio": "9:16"], headers: headers,
                    client: client)
                #expect(status == 202 && body["model"] as? String == "veo-3" && body["demo"] as? Bool == false)
                let recorded = try #require(fake.lastBody.withLock { $0 })
                let parameters =
                    (try JSONSerialization.jsonObject(with: recorded) as? [String: Any])?["parameters"]
                    as? [String: Any]
                #expect(parameters?["durationSeconds"] as? Int == 8 && parameters?["aspectRatio"] as? String == "9:16")
                let job = try #require(
                    try await JobRepository(client: harness.postgres, logger: Logger(label: "t"))
                        .find(id: UUID(uuidString: body["job_id"] as? String ?? "")!))
                let payload = try JSONDecoder.studio.decode(
                    JobPayloads.VideoGenerate.self, from: Data(job.payloadJSON.utf8))
                #expect(payload.operation == "models/veo-3.0-generate-001/operations/op-123")
                for bad: [String: Any] in [
                    ["prompt": "x", "duration_s": 30], ["prompt": "x", "aspect_ratio": "1:1"], ["prompt": ""],
                ] {
                    #expect(try await start(bad, headers: headers, client: client).0 == 400)
                }
            }
        }
    }

    @Test func runwayIsStartedInItsFormatAndTheWorkerIsToldToPollIt() async throws {
        let fake = FakeRunway()
        try await fake.application().test(.live) { live in
            let port = try #require(live.port)
            try await GatewayHarness.run(extra: [
                "RUNWAYML_API_SECRET": "runway-test", "RUNWAY_BASE_URL": "http://127.0.0.1:\(port)",
            ]) { harness, client in
                let (_, headers) = try await harness.user()
                try await client.execute(uri: "/v1/models", method: .get) { response in
                    let video = (json(response)["video"] as? [[String: Any]]) ?? []
                    let runway = video.first { $0["id"] as? String == "runway-gen4.5" }
                    #expect(runway?["available"] as? Bool == true && runway?["provider"] as? String == "runway")
                }
                let (status, body) = try await start(
                    ["model": "runway-gen4.5", "prompt": "صقر فوق وادي رم", "duration_s": 8, "aspect_ratio": "9:16"],
                    headers: headers, client: client)
                #expect(status == 202 && body["model"] as? String == "runway-gen4.5" && body["demo"] as? Bool == false)
                let raw = try #require(fake.lastBody.withLock { $0 })
                let sent = try JSONSerialization.jsonObject(with: raw) as? [String: Any] ?? [:]
                #expect(sent["model"] as? String == "gen4.5" && sent["promptText"] as? String == "صقر فوق وادي رم")
                #expect(sent["ratio"] as? String == "720:1280" && sent["duration"] as? Int == 10)
                let job = try #require(
                    try await JobRepository(client: harness.postgres, logger: Logger(label: "t"))
                        .find(id: UUID(uuidString: body["job_id"] as? String ?? "")!))
                let payload = try JSONDecoder.studio.decode(
                    JobPayloads.VideoGenerate.self, from: Data(job.payloadJSON.utf8))
                #expect(payload.provider == "runway" && payload.operation == "17f20503-6c24-4c16-946b-35dbbce2af2f")
            }
        }
    }

    @Test func aFailingVeoFallsBackToRunwayAndPikaIsListedAsNotConnected() async throws {
        let veo = FakeVeo()
        let runway = FakeRunway()
        try await veo.application().test(.live) { veoLive in
            try await runway.application().test(.live) { runwayLive in
                try await GatewayHarness.run(extra: [
                    "VEO3_API_KEY": "veo-test", "VEO3_BASE_URL": "http://127.0.0.1:\(veoLive.port ?? 0)",
                    "RUNWAYML_API_SECRET": "runway-test", "RUNWAY_BASE_URL": "http://127.0.0.1:\(runwayLive.port ?? 0)",
                ]) { harness, client in
                    let (_, headers) = try await harness.user()
                    let (status, body) = try await start(
                        ["prompt": "this will fail at Veo", "duration_s": 6], headers: headers, client: client)
                    #expect(status == 202 && body["model"] as? String == "runway-gen4.5")
                    #expect(veo.calls.load(ordering: .relaxed) == 1)
                    #expect(runway.lastBody.withLock { $0 } != nil)
                    try await client.execute(uri: "/v1/models", method: .get) { response in
                        let video = (json(response)["video"] as? [[String: Any]]) ?? []
                        let pika = video.first { $0["id"] as? String == "pika-2.2" }
                        #expect(pika?["available"] as? Bool == false)
                        #expect((pika?["name"] as? String)?.contains("no public API") == true)
                    }
                    let (refused, error) = try await start(
                        ["model": "pika-2.2", "prompt": "x"], headers: headers, client: client)
                    #expect(
                        refused == 400 && (error["error"] as? [String: Any])?["code"] as? String == "model_unavailable")
                }
            }
        }
        await #expect(throws: ProviderError.self) {
            _ = try await PikaVideoProvider().start(
                VideoRequest(upstreamModel: "pika-2.2", prompt: "x", durationSeconds: 5, aspectRatio: "16:9"))
        }
    }

    @Test func aFinishedJobOffersItsClip() async throws {
        try await GatewayHarness.run { harness, client in
            let (userID, headers) = try await harness.user()
            let (_, body) = try await start(["prompt": "clip"], headers: headers, client: client)
            let jobID = try #require(UUID(uuidString: body["job_id"] as? String ?? ""))
            let logger = Logger(label: "t")
            let fileID = UUID()
            let posterID = UUID()
            let files = FileRepository(client: harness.postgres, logger: logger)
            _ = try await files.createReady(
                id: posterID, userID: userID, type: .jpeg, key: "users/\(userID)/\(posterID).jpg", bytes: 10,
                name: "clip.jpg")
            _ = try await files.createReady(
                id: fileID, userID: userID, type: .mp4, key: "users/\(userID)/\(fileID).mp4", bytes: 10,
                name: "clip.mp4", thumbnailID: posterID)
            let jobs = JobRepository(client: harness.postgres, logger: logger)
            _ = try await jobs.markRunning(id: jobID)
            #expect(try await jobs.markDone(id: jobID, resultFileID: fileID))
            let (_, second) = try await start(["prompt": "second clip"], headers: headers, client: client)

            try await client.execute(uri: "/v1/video/jobs/\(jobID)", method: .get, headers: headers) { response in
                let view = json(response)
                #expect(view["status"] as? String == "done" && view["prompt"] as? String == "clip")
                #expect(view["kind"] as? String == "video_generate" && view["model"] as? String == "demo-video")
                let file = try #require(view["file"] as? [String: Any])
                #expect(
                    file["file_id"] as? String == fileID.uuidString
                        && (file["url"] as? String)?.contains(".mp4") == true)
                #expect((file["thumbnail_url"] as? String)?.contains(".jpg") == true)
            }
            // The queue panel: newest first, each with its state; another user sees none of them.
            try await client.execute(uri: "/v1/video/jobs", method: .get, headers: headers) { response in
                let listed = (json(response)["jobs"] as? [[String: Any]]) ?? []
                #expect(listed.map { $0["job_id"] as? String } == [second["job_id"] as? String, jobID.uuidString])
                #expect(listed.map { $0["status"] as? String } == ["queued", "done"])
            }
            let (_, other) = try await harness.user()
            try await client.execute(uri: "/v1/video/jobs", method: .get, headers: other) { response in
                #expect((json(response)["jobs"] as? [[String: Any]])?.isEmpty == true)
            }
        }
    }
}
