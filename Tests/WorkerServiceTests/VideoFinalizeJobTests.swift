import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import WorkerService

/// Veo's operations and Files API as the Gemini API serves them: `op-ready` finishes on the
/// second poll, `op-filtered` ends filtered by safety, `op-error` ends with an error.
final class FakeVeoOperations: Sendable {
    let polls = Atomic<Int>(0)
    let port = Mutex<Int>(0)
    /// Just enough of an MP4 for the type check: a `ftyp` box.
    static let clip = Data([0, 0, 0, 0x18]) + Data("ftypmp42".utf8) + Data(repeating: 7, count: 64)

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/v1beta/models/veo-3.0-generate-001/operations/:op") { request, context -> Response in
            guard request.headers[HTTPField.Name("x-goog-api-key")!] == "veo-test" else {
                return Response(status: .forbidden)
            }
            let count = self.polls.add(1, ordering: .relaxed).newValue
            let op = context.parameters.get("op") ?? ""
            let name = "models/veo-3.0-generate-001/operations/\(op)"
            let answer: String
            switch op {
            case "op-ready" where count >= 2:
                let uri = "http://127.0.0.1:\(self.port.withLock { $0 })/v1beta/files/abc:download?alt=media"
                answer =
                    #"{"name":"\#(name)","done":true,"response":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse","generateVideoResponse":{"generatedSamples":[{"video":{"uri":"\#(uri)"}}]}}}"#
            case "op-filtered":
                answer =
                    #"{"name":"\#(name)","done":true,"response":{"generateVideoResponse":{"raiMediaFilteredCount":1,"raiMediaFilteredReasons":["unsafe"]}}}"#
            case "op-error":
                answer = #"{"name":"\#(name)","done":true,"error":{"code":13,"message":"internal"}}"#
            default:
                answer = #"{"name":"\#(name)","metadata":{},"done":false}"#
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        router.get("/v1beta/files/:file") { request, _ -> Response in
            guard request.headers[HTTPField.Name("x-goog-api-key")!] == "veo-test" else {
                return Response(status: .forbidden)
            }
            return Response(
                status: .ok, headers: [.contentType: "video/mp4"], body: .init(byteBuffer: ByteBuffer(bytes: Self.clip))
            )
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

/// Runway's tasks API: `task-ready` succeeds on the second poll with a signed output link (no key
/// needed to fetch it), `task-unsafe` fails with a safety code, `task-gone` was cancelled.
final class FakeRunwayTasks: Sendable {
    let polls = Atomic<Int>(0)
    let port = Mutex<Int>(0)

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/v1/tasks/:id") { request, context -> Response in
            guard request.headers[.authorization] == "Bearer runway-test",
                request.headers[HTTPField.Name("X-Runway-Version")!] == "2024-11-06"
            else { return Response(status: .unauthorized) }
            let count = self.polls.add(1, ordering: .relaxed).newValue
            let id = context.parameters.get("id") ?? ""
            let answer: String
            switch id {
            case "task-ready" where count >= 2:
                let link = "http://127.0.0.1:\(self.port.withLock { $0 })/output/clip.mp4?_jwt=signed"
                answer =
                    #"{"id":"\#(id)","status":"SUCCEEDED","createdAt":"2026-11-28T00:00:00.000Z","output":["\#(link)"]}"#
            case "task-unsafe":
                answer =
                    #"{"id":"\#(id)","status":"FAILED","createdAt":"2026-11-28T00:00:00.000Z","failure":"Content moderated","failureCode":"SAFETY.INPUT.TEXT"}"#
            case "task-gone":
                answer = #"{"id":"\#(id)","status":"CANCELLED","createdAt":"2026-11-28T00:00:00.000Z"}"#
            default:
                answer = #"{"id":"\#(id)","status":"RUNNING","createdAt":"2026-11-28T00:00:00.000Z","progress":0.4}"#
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        router.get("/output/clip.mp4") { request, _ -> Response in
            guard request.uri.queryParameters.get("_jwt") == "signed" else { return Response(status: .forbidden) }
            return Response(
                status: .ok, headers: [.contentType: "video/mp4"],
                body: .init(byteBuffer: ByteBuffer(bytes: FakeVeoOperations.clip)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

struct VideoFinalizeJobTests {
    func job(
        _ harness: WorkerHarness, operation: String, provider: String = "google"
    ) async throws -> (JobPayloads.VideoGenerate, String) {
        let user = try await UserRepository(client: harness.postgres, logger: harness.logger)
            .findOrCreate(email: "\(operation)@example.jo").user
        let counter = harness.redis.key("usage:\(user.id):1")
        let payload = JobPayloads.VideoGenerate(
            jobID: UUID(), userID: user.id, model: provider == "runway" ? "runway-gen4.5" : "veo-3", provider: provider,
            upstream: provider == "runway" ? "gen4.5" : "veo-3.0-generate-001",
            prompt: "falcon", durationSeconds: 8, aspectRatio: "16:9",
            operation: provider == "runway" ? operation : "models/veo-3.0-generate-001/operations/\(operation)",
            reservation: .init(
                kind: "video", amount: 1, member: "m:1", counterKey: counter, reservationsKey: counter + ":res:video"))
        _ = try await harness.jobs.create(
            id: payload.jobID, kind: .videoGenerate, userID: user.id,
            payloadJSON: String(decoding: try JSONEncoder.studio.encode(payload), as: UTF8.self))
        return (payload, counter)
    }

    @Test func operationsArePolledUntilDoneThenTheClipIsStoredAndSettled() async throws {
        let fake = FakeVeoOperations()
        let directory = NSTemporaryDirectory() + "worker-veo-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await fake.application().test(.live) { live in
            fake.port.withLock { $0 = live.port ?? 0 }
            let extra = [
                "STORAGE_DIR": directory, "VEO3_API_KEY": "veo-test",
                "VEO3_BASE_URL": "http://127.0.0.1:\(live.port ?? 0)",
                "VIDEO_POLL_MS": "50", "JOB_MAX_ATTEMPTS": "1",
            ]
            try await WorkerHarness.run(extra: extra) { harness, app in
                let (ready, counter) = try await job(harness, operation: "op-ready")
                let (filtered, _) = try await job(harness, operation: "op-filtered")
                let (broken, _) = try await job(harness, operation: "op-error")
                try await app.test(.router) { _ in
                    try await harness.redis.send("HSET", counter, "video", "0")
                    for payload in [ready, filtered, broken] {
                        try await harness.redis.send(
                            "ZADD", payload.reservation.reservationsKey, "9999999999999", payload.reservation.member)
                        try await JobQueue(redis: harness.redis).enqueue(
                            .videoFinalize, payload: payload, id: payload.jobID.uuidString)
                    }
                    let settled = try await eventually(timeout: .seconds(20)) {
                        let states = try await [ready, filtered, broken].asyncMap {
                            try await harness.jobs.find(id: $0.jobID)?.status
                        }
                        return states == [.done, .failed, .failed]
                    }
                    #expect(settled)
                    #expect(try await eventually { try await harness.redis.send("HGET", counter, "video").int == 1 })
                    #expect(try await harness.redis.send("ZCARD", filtered.reservation.reservationsKey).int == 0)
                }
                #expect(try await harness.jobs.find(id: filtered.jobID)?.error?.contains("safety") == true)
                let done = try #require(try await harness.jobs.find(id: ready.jobID))
                let file = try #require(try await harness.files.find(id: done.resultFileID!, userID: ready.userID))
                #expect(
                    FileManager.default.contents(atPath: directory + "/assets/" + file.key) == FakeVeoOperations.clip)
            }
            #expect(fake.polls.load(ordering: .relaxed) >= 4)
        }
    }
}

extension VideoFinalizeJobTests {
    @Test func runwayTasksArePolledAndTheirSignedOutputStored() async throws {
        let fake = FakeRunwayTasks()
        let directory = NSTemporaryDirectory() + "worker-runway-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await fake.application().test(.live) { live in
            fake.port.withLock { $0 = live.port ?? 0 }
            let extra = [
                "STORAGE_DIR": directory, "RUNWAYML_API_SECRET": "runway-test",
                "RUNWAY_BASE_URL": "http://127.0.0.1:\(live.port ?? 0)", "VIDEO_POLL_MS": "50", "JOB_MAX_ATTEMPTS": "1",
            ]
            try await WorkerHarness.run(extra: extra) { harness, app in
                let (ready, counter) = try await job(harness, operation: "task-ready", provider: "runway")
                let (unsafe, _) = try await job(harness, operation: "task-unsafe", provider: "runway")
                let (gone, _) = try await job(harness, operation: "task-gone", provider: "runway")
                // A Veo job on a worker without a Google key fails with a reason instead of waiting forever.
                let (orphan, _) = try await job(harness, operation: "op-any", provider: "google")
                try await app.test(.router) { _ in
                    try await harness.redis.send("HSET", counter, "video", "0")
                    for payload in [ready, unsafe, gone, orphan] {
                        try await harness.redis.send(
                            "ZADD", payload.reservation.reservationsKey, "9999999999999", payload.reservation.member)
                        try await JobQueue(redis: harness.redis).enqueue(
                            .videoFinalize, payload: payload, id: payload.jobID.uuidString)
                    }
                    let settled = try await eventually(timeout: .seconds(20)) {
                        let states = try await [ready, unsafe, gone, orphan].asyncMap {
                            try await harness.jobs.find(id: $0.jobID)?.status
                        }
                        return states == [.done, .failed, .failed, .failed]
                    }
                    #expect(settled)
                    #expect(try await eventually { try await harness.redis.send("HGET", counter, "video").int == 1 })
                }
                #expect(try await harness.jobs.find(id: unsafe.jobID)?.error?.contains("safety") == true)
                #expect(try await harness.jobs.find(id: gone.jobID)?.error?.contains("canceled") == true)
                #expect(try await harness.jobs.find(id: orphan.jobID)?.error?.contains("not configured") == true)
                let done = try #require(try await harness.jobs.find(id: ready.jobID))
                let file = try #require(try await harness.files.find(id: done.resultFileID!, userID: ready.userID))
                #expect(
                    FileManager.default.contents(atPath: directory + "/assets/" + file.key) == FakeVeoOperations.clip)
            }
            #expect(fake.polls.load(ordering: .relaxed) >= 4)
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
