import Core
import CoreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

@testable import WorkerService

struct VideoDemoJobTests {
    @Test func demoVideoIsMadeStoredAndSettled() async throws {
        let directory = NSTemporaryDirectory() + "worker-video-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await WorkerHarness.run(extra: ["STORAGE_DIR": directory]) { harness, app in
            let logger = harness.logger
            let client = harness.postgres
            let redis = harness.redis
            let user = try await UserRepository(client: client, logger: logger).findOrCreate(email: "v@example.jo").user
            let counter = redis.key("usage:\(user.id):1")
            let reservation = JobPayloads.Reservation(
                kind: "video", amount: 1, member: "r1:1", counterKey: counter, reservationsKey: counter + ":res:video")
            let payload = JobPayloads.VideoGenerate(
                jobID: UUID(), userID: user.id, model: "demo-video", provider: "demo", upstream: "demo",
                prompt: "غروب الشمس فوق البتراء، ولقطة واسعة للوادي", durationSeconds: 6, aspectRatio: "16:9",
                operation: nil,
                reservation: reservation)
            let jobs = harness.jobs
            _ = try await jobs.create(
                id: payload.jobID, kind: .videoGenerate, userID: user.id,
                payloadJSON: String(decoding: try JSONEncoder.studio.encode(payload), as: UTF8.self))

            try await app.test(.router) { _ in
                try await redis.send("HSET", counter, "video", "0")
                try await redis.send("ZADD", reservation.reservationsKey, "9999999999999", reservation.member)
                try await JobQueue(redis: redis).enqueue(
                    .videoDemo, payload: payload, id: payload.jobID.uuidString.lowercased())
                let done = try await eventually(timeout: .seconds(60)) {
                    try await jobs.find(id: payload.jobID)?.status == .done
                }
                #expect(done)
                // The job is marked done before the settlement, so a crash between them never bills twice.
                let settled = try await eventually {
                    let reserved = try await redis.send("ZCARD", reservation.reservationsKey).int
                    let used = try await redis.send("HGET", counter, "video").int
                    return reserved == 0 && used == 1
                }
                #expect(settled)
            }
            let job = try #require(try await jobs.find(id: payload.jobID))
            let file = try #require(
                try await harness.files.find(id: job.resultFileID!, userID: user.id))
            #expect(file.kind == "video" && file.contentType == "video/mp4")
            let clip = URL(fileURLWithPath: directory + "/assets/" + file.key)
            #expect(FileType.sniff(try Data(contentsOf: clip)) == .mp4)
            #expect(abs(try await FFmpeg.duration(of: clip) - 6) < 0.2)
            // The poster frame the player shows before it starts.
            let posterID = try #require(file.thumbnailID)
            let poster = try #require(try await harness.files.find(id: posterID, userID: user.id))
            let jpeg = try Data(contentsOf: URL(fileURLWithPath: directory + "/assets/" + poster.key))
            #expect(FileType.sniff(jpeg) == .jpeg)
            let rows = try await client.query(
                "SELECT count(*) FROM usage_logs WHERE user_id = \(user.id) AND kind = 'video' AND amount = 1",
                logger: logger)
            for try await count in rows.decode(Int.self) { #expect(count == 1) }
        }
    }

    @Test func longPromptsWrapIntoAFewLines() {
        let wrapped = VideoDemoJob.wrap(String(repeating: "كلمة ", count: 100), width: 20)
        #expect(wrapped.split(separator: "\n").count == 5)
        #expect(wrapped.split(separator: "\n").allSatisfy { $0.count <= 20 })
    }
}
