import Core
import CoreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import WorkerService

struct VideoEditJobTests {
    /// Grey pixels of the bottom-centre band (where captions go) of the frame at `time`.
    static func band(_ video: URL, at time: Double) async throws -> [UInt8] {
        let raw = video.deletingLastPathComponent().appendingPathComponent("band-\(UUID().uuidString).gray")
        try await FFmpeg.run([
            "-y", "-loglevel", "error", "-ss", String(time), "-i", video.path, "-frames:v", "1",
            "-vf", "crop=iw/2:ih/6:iw/4:ih*5/6,format=gray", "-f", "rawvideo", raw.path,
        ])
        return [UInt8](try Data(contentsOf: raw))
    }

    static func difference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return .infinity }
        return Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.count)
    }

    @Test func aClipIsTrimmedToTheSecondAndGetsVisibleCaptionsAndAThumbnailOnce() async throws {
        let directory = NSTemporaryDirectory() + "worker-edit-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await WorkerHarness.run(extra: ["STORAGE_DIR": directory]) { harness, app in
            let logger = harness.logger
            let user = try await UserRepository(client: harness.postgres, logger: logger).findOrCreate(
                email: "edit@example.jo"
            ).user
            let scratch = URL(fileURLWithPath: directory).appendingPathComponent("scratch")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let clip = scratch.appendingPathComponent("clip.mp4")
            try await FFmpeg.run([
                "-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=s=1280x720:d=8:r=25", "-f", "lavfi", "-i",
                "sine=d=8", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
                clip.path,
            ])
            let storage = harness.settings.storage.areas(
                credentials: AWSCredentialsProvider(environment: [:]), links: nil)
            let sourceID = UUID()
            let key = "users/\(user.id.uuidString.lowercased())/\(sourceID.uuidString.lowercased()).mp4"
            let bytes = try Data(contentsOf: clip)
            try await storage.assets.put(key: key, data: bytes, contentType: "video/mp4")
            _ = try await harness.files.createReady(
                id: sourceID, userID: user.id, type: .mp4, key: key, bytes: Int64(bytes.count), name: "رحلة.mp4")
            let captioned = JobPayloads.VideoEdit(
                jobID: UUID(), userID: user.id, fileID: sourceID, start: 1, end: 6,
                captions: [
                    .init(start: 0.5, end: 3, text: "مرحبا بكم في عمّان"),
                    .init(start: 3, end: 5.5, text: "Welcome to Amman"),
                    .init(start: 7, end: 8, text: "after the cut"),
                ])
            let plain = JobPayloads.VideoEdit(
                jobID: UUID(), userID: user.id, fileID: sourceID, start: 1, end: 6, captions: [])
            for payload in [captioned, plain] {
                _ = try await harness.jobs.create(
                    id: payload.jobID, kind: .videoEdit, userID: user.id,
                    payloadJSON: String(decoding: try JSONEncoder.studio.encode(payload), as: UTF8.self))
            }
            try await app.test(.router) { _ in
                let queue = JobQueue(redis: harness.redis)
                for payload in [captioned, plain, captioned] {
                    try await queue.enqueue(.videoEdit, payload: payload, id: payload.jobID.uuidString.lowercased())
                }
                let done = try await eventually(timeout: .seconds(120)) {
                    let first = try await harness.jobs.find(id: captioned.jobID)?.status
                    let second = try await harness.jobs.find(id: plain.jobID)?.status
                    return first == .done && second == .done
                }
                #expect(done)
                _ = try await eventually(timeout: .seconds(30)) {
                    let stats = try await queue.stats(.media)
                    return stats.length == 0 && stats.pending == 0
                }
            }
            func result(_ payload: JobPayloads.VideoEdit) async throws -> (StoredFile, URL) {
                let job = try #require(try await harness.jobs.find(id: payload.jobID))
                let id = try #require(job.resultFileID)
                let file = try #require(try await harness.files.find(id: id, userID: user.id))
                return (file, URL(fileURLWithPath: directory + "/assets/" + file.key))
            }
            let (edited, editedURL) = try await result(captioned)
            let (_, plainURL) = try await result(plain)
            #expect(edited.name == "رحلة-edited.mp4" && edited.contentType == "video/mp4")
            #expect(abs(try await FFmpeg.duration(of: editedURL) - 5) < 0.15)
            let thumbnailID = try #require(edited.thumbnailID)
            let thumbnail = try #require(try await harness.files.find(id: thumbnailID, userID: user.id))
            #expect(thumbnail.contentType == "image/jpeg")
            // Captions show where they were asked for (Arabic at 1 s, English at 3 s of the cut) and not after.
            #expect(Self.difference(try await Self.band(editedURL, at: 1), try await Self.band(plainURL, at: 1)) > 8)
            #expect(Self.difference(try await Self.band(editedURL, at: 3), try await Self.band(plainURL, at: 3)) > 8)
            #expect(
                Self.difference(try await Self.band(editedURL, at: 4.8), try await Self.band(plainURL, at: 4.8)) < 3)
            // Delivered twice, stored once: two edits, two thumbnails.
            let rows = try await harness.postgres.query(
                "SELECT count(*)::int FROM files WHERE user_id = \(user.id)", logger: logger)
            for try await count in rows.decode(Int.self) { #expect(count == 5) }
        }
    }

    @Test func captionsAreMovedToTheCutAndWrittenAsText() {
        let shifted = VideoEditJob.shift(
            [
                .init(start: 0.5, end: 3, text: "a"), .init(start: 7, end: 8, text: "b"),
                .init(start: 5, end: 9, text: "c"),
            ],
            by: 1, length: 5)
        #expect(shifted == [.init(start: 0, end: 2, text: "a"), .init(start: 4, end: 5, text: "c")])
        let script = SubtitleScript.captions(
            [.init(start: 1.25, end: 62, text: "سطر {\\b1}\nثانٍ")], style: .standard, width: 1280, height: 720)
        #expect(script.contains("Dialogue: 0,0:00:01.25,0:01:02.00,Default,,0,0,0,,سطر (⧵b1)\\Nثانٍ"))
        #expect(script.contains("PlayResY: 720") && script.contains("Style: Default,Noto Sans Arabic,50,"))
    }
}
