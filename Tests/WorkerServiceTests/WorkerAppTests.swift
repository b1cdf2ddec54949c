import Core
import CoreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing

@testable import WorkerService

struct WorkerAppTests {
    @Test func noopJobIsConsumedEndToEndByTheWorkerApplication() async throws {
        try await WorkerHarness.run { harness, app in
            let dependencies = harness.dependencies
            let queue = JobQueue(redis: dependencies.redis)

            try await app.test(.router) { client in
                try await queue.enqueue(.noop, payload: NoopJob.Payload(note: "اختبار"))
                let drained = try await eventually {
                    let stats = try await queue.stats(.default)
                    return stats.length == 0 && stats.pending == 0
                }
                #expect(drained)
                #expect(try await queue.stats(.default).dead == 0)
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }

    @Test func poisonJobMarksItsJobsRowFailed() async throws {
        try await WorkerHarness.run(extra: ["JOB_MAX_ATTEMPTS": "1"]) { harness, app in
            let logger = harness.logger
            let client = harness.postgres
            let dependencies = harness.dependencies
            let jobs = JobRepository(client: client, logger: logger)
            let job = try await jobs.create(kind: .noop, userID: nil, payloadJSON: "{}")

            try await app.test(.router) { _ in
                // A payload the noop handler cannot read: it fails permanently.
                try await JobQueue(redis: dependencies.redis).enqueue(
                    .noop, payload: ["note": 42], id: job.id.uuidString)
                let failed = try await eventually { try await jobs.find(id: job.id)?.status == .failed }
                #expect(failed)
            }
            #expect(try await jobs.find(id: job.id)?.error?.contains("cannot be read") == true)
        }
    }

    @Test func concurrencyIsReadPerQueue() throws {
        let source = ConfigSource([
            "DATABASE_URL": "postgres://u@h/d", "REDIS_URL": "redis://h:6379", "WORKER_CONCURRENCY_MEDIA": "3",
        ])
        #expect(try WorkerSettings(source).concurrency[.media] == 3)
        #expect(throws: ConfigError.self) {
            try WorkerSettings(
                ConfigSource([
                    "DATABASE_URL": "postgres://u@h/d", "REDIS_URL": "redis://h", "WORKER_CONCURRENCY_MEDIA": "-1",
                ]))
        }
    }
}

struct UploadScanJobTests {
    @Test func enqueuedScanPromotesTheUpload() async throws {
        let directory = NSTemporaryDirectory() + "worker-storage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await WorkerHarness.run(extra: ["STORAGE_DIR": directory]) { harness, app in
            let logger = harness.logger
            let client = harness.postgres
            let settings = harness.settings
            let dependencies = harness.dependencies
            let user = try await UserRepository(client: client, logger: logger).findOrCreate(email: "w@example.jo").user
            let files = FileRepository(client: client, logger: logger)
            let areas = settings.storage.areas(credentials: AWSCredentialsProvider(environment: [:]), links: nil)
            let id = UUID()
            let text = Data("ملاحظات الاجتماع\n".utf8)
            try await areas.quarantine.put(key: "uploads/u/\(id)", data: text, contentType: "text/plain")
            _ = try await files.create(
                id: id, userID: user.id, type: .txt, key: "uploads/u/\(id)", bytes: Int64(text.count), name: "n.txt")

            try await app.test(.router) { _ in
                try await JobQueue(redis: dependencies.redis).enqueue(
                    .uploadScan, payload: JobPayloads.UploadScan(fileID: id))
                let ready = try await eventually { try await files.find(id: id)?.status == .ready }
                #expect(ready)
            }
            let promoted = try #require(try await files.find(id: id))
            #expect(try await areas.assets.get(key: promoted.key) == text)
            #expect(try await areas.quarantine.get(key: "uploads/u/\(id)") == nil)
        }
    }
}

extension UploadScanJobTests {
    /// A real image is promoted and gets a thumbnail; bytes that only start like a PNG are rejected by ffprobe.
    @Test func imagesAreDecodedBeforePromotionAndGetAThumbnail() async throws {
        let directory = NSTemporaryDirectory() + "worker-thumbs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await WorkerHarness.run(extra: ["STORAGE_DIR": directory]) { harness, app in
            let logger = harness.logger
            let user = try await UserRepository(client: harness.postgres, logger: logger).findOrCreate(
                email: "thumbs@example.jo"
            ).user
            let files = harness.files
            let areas = harness.settings.storage.areas(
                credentials: AWSCredentialsProvider(environment: [:]), links: nil)
            var pixels = [UInt8]()
            pixels.reserveCapacity(640 * 480 * 4)
            for index in 0..<(640 * 480) {
                let x = UInt8(truncatingIfNeeded: index % 640)
                let y = UInt8(truncatingIfNeeded: index / 640)
                pixels += [x, y, 120, 255]
            }
            let real = PNGEncoder.encode(width: 640, height: 480, rgba: pixels)
            let fake = Data(real.prefix(64)) + Data(repeating: 0x42, count: 4000)
            let ids = [UUID(), UUID()]
            for (id, data) in zip(ids, [real, fake]) {
                try await areas.quarantine.put(key: "uploads/u/\(id)", data: data, contentType: "image/png")
                _ = try await files.create(
                    id: id, userID: user.id, type: .png, key: "uploads/u/\(id)", bytes: Int64(data.count),
                    name: "صورة.png")
            }
            try await app.test(.router) { _ in
                let queue = JobQueue(redis: harness.redis)
                for id in ids { try await queue.enqueue(.uploadScan, payload: JobPayloads.UploadScan(fileID: id)) }
                let settled = try await eventually(timeout: .seconds(30)) {
                    let thumbnail = try await files.find(id: ids[0])?.thumbnailID
                    let rejected = try await files.find(id: ids[1])?.status
                    return thumbnail != nil && rejected == .rejected
                }
                #expect(settled)
            }
            let promoted = try #require(try await files.find(id: ids[0]))
            let thumbnailID = try #require(promoted.thumbnailID)
            let thumbnail = try #require(try await files.find(id: thumbnailID, userID: user.id))
            #expect(thumbnail.contentType == "image/jpeg" && thumbnail.name == "صورة-thumbnail.jpg")
            let jpeg = try #require(try await areas.assets.get(key: thumbnail.key))
            #expect(FileType.sniff(jpeg) == .jpeg && jpeg.count < real.count)
            let rejected = try #require(try await files.find(id: ids[1]))
            #expect(rejected.rejectReason == "the image cannot be decoded")
        }
    }
}

struct DeadLetterReleaseTests {
    @Test func aJobThatGivesUpFreesItsReservationAndFailsItsRow() async throws {
        try await WorkerHarness.run(extra: ["JOB_MAX_ATTEMPTS": "1"]) { harness, app in
            let logger = harness.logger
            let client = harness.postgres
            let dependencies = harness.dependencies
            let jobs = JobRepository(client: client, logger: logger)
            let redis = dependencies.redis
            let reservationsKey = redis.key("usage:test:res:video")
            try await redis.send("ZADD", reservationsKey, "9999999999999", "held:1")
            let payload = JobPayloads.VideoGenerate(
                jobID: UUID(), userID: UUID(), model: "demo-video", provider: "demo", upstream: "demo", prompt: "p",
                durationSeconds: 6, aspectRatio: "16:9", operation: nil,
                reservation: .init(
                    kind: "video", amount: 1, member: "held:1", counterKey: redis.key("usage:test"),
                    reservationsKey: reservationsKey))
            let job = try await jobs.create(
                id: payload.jobID, kind: .videoGenerate, userID: nil,
                payloadJSON: String(decoding: try JSONEncoder.studio.encode(payload), as: UTF8.self))

            try await app.test(.router) { _ in
                // No handler runs video_generate (the gateway starts provider work itself): dead-lettered at once.
                try await JobQueue(redis: redis).enqueue(
                    .videoGenerate, payload: payload, id: job.id.uuidString.lowercased())
                let failed = try await eventually { try await jobs.find(id: job.id)?.status == .failed }
                #expect(failed)
                #expect(try await redis.send("ZCARD", reservationsKey).int == 0)
            }
        }
    }
}
