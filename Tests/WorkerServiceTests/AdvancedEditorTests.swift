import Core
import CoreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import WorkerService

/// The advanced editors applied by the worker: caption styles, joined clips and fades on videos; social
/// sizes, colour changes and text layers on pictures. Checked on the files ffmpeg wrote, not on its arguments.
struct AdvancedEditorTests {
    /// RGB pixels of the region `crop` (an ffmpeg crop expression) of the frame at `time`.
    static func pixels(_ file: URL, at time: Double = 0, crop: String) async throws -> [(Int, Int, Int)] {
        let raw = file.deletingLastPathComponent().appendingPathComponent("region-\(UUID().uuidString).rgb")
        // A seek on a single JPEG finds no frame: seek only into videos.
        try await FFmpeg.run(
            ["-y", "-loglevel", "error"] + (time > 0 ? ["-ss", String(time)] : []) + [
                "-i", file.path, "-frames:v", "1", "-vf", "crop=\(crop),format=rgb24", "-f", "rawvideo", raw.path,
            ])
        let bytes = [UInt8](try Data(contentsOf: raw))
        guard !bytes.isEmpty else {
            throw FFmpeg.Failure(tool: "ffmpeg", status: 0, output: "no frame at \(time) of \(file.lastPathComponent)")
        }
        return stride(from: 0, to: bytes.count - 2, by: 3).map {
            (Int(bytes[$0]), Int(bytes[$0 + 1]), Int(bytes[$0 + 2]))
        }
    }

    static func share(_ pixels: [(Int, Int, Int)], _ test: ((Int, Int, Int)) -> Bool) -> Double {
        Double(pixels.filter(test).count) / Double(max(1, pixels.count))
    }

    static func mean(_ pixels: [(Int, Int, Int)]) -> Double {
        Double(pixels.reduce(0) { $0 + $1.0 + $1.1 + $1.2 }) / Double(max(1, pixels.count * 3))
    }

    static let red: @Sendable ((Int, Int, Int)) -> Bool = { $0.0 > 200 && $0.1 < 70 && $0.2 < 70 }
    static let yellow: @Sendable ((Int, Int, Int)) -> Bool = { $0.0 > 200 && $0.1 > 200 && $0.2 < 90 }
    static let green: @Sendable ((Int, Int, Int)) -> Bool = { $0.0 < 60 && $0.1 > 200 && $0.2 < 60 }
    static let blue: @Sendable ((Int, Int, Int)) -> Bool = { $0.0 < 70 && $0.1 < 70 && $0.2 > 200 }

    /// Stores `file` as the user's ready file and returns its id.
    static func store(
        _ file: URL, type: FileType, name: String, userID: UUID, harness: WorkerHarness, storage: StorageAreas
    ) async throws -> UUID {
        let id = UUID()
        let key = "users/\(userID.uuidString.lowercased())/\(id.uuidString.lowercased()).\(type.fileExtension)"
        let bytes = try Data(contentsOf: file)
        try await storage.assets.put(key: key, data: bytes, contentType: type.contentType)
        _ = try await harness.files.createReady(
            id: id, userID: userID, type: type, key: key, bytes: Int64(bytes.count), name: name)
        return id
    }

    @Test func aStyledJoinedFadedEditHasTheCaptionLookTheJoinedLengthAndTheFades() async throws {
        let directory = NSTemporaryDirectory() + "worker-advanced-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await WorkerHarness.run(extra: ["STORAGE_DIR": directory]) { harness, app in
            let user = try await UserRepository(client: harness.postgres, logger: harness.logger).findOrCreate(
                email: "creator-video@example.jo"
            ).user
            let scratch = URL(fileURLWithPath: directory).appendingPathComponent("scratch")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            // A plain blue-grey clip with sound, and a square one of another frame rate with no sound.
            let first = scratch.appendingPathComponent("first.mp4")
            try await FFmpeg.run([
                "-y", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=0x405070:s=1280x720:d=6:r=25", "-f", "lavfi",
                "-i", "sine=d=6", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                "-shortest", first.path,
            ])
            let second = scratch.appendingPathComponent("second.mp4")
            try await FFmpeg.run([
                "-y", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=0xc0c0c0:s=640x640:d=3:r=30", "-c:v",
                "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", second.path,
            ])
            let storage = harness.settings.storage.areas(
                credentials: AWSCredentialsProvider(environment: [:]), links: nil)
            let firstID = try await Self.store(
                first, type: .mp4, name: "مقدمة.mp4", userID: user.id, harness: harness, storage: storage)
            let secondID = try await Self.store(
                second, type: .mp4, name: "خاتمة.mp4", userID: user.id, harness: harness, storage: storage)
            let style = EditOptions.CaptionStyle(
                size: 10, color: "#ffff00", background: .box, backgroundColor: "#ff0000", position: .top, font: .kufi)
            let edit = JobPayloads.VideoEdit(
                jobID: UUID(), userID: user.id, fileID: firstID, start: 1, end: 5,
                captions: [.init(start: 1.5, end: 3.5, text: "أهلًا بكم في عمّان")], style: style, join: [secondID],
                fadeIn: 1, fadeOut: 1)
            _ = try await harness.jobs.create(
                id: edit.jobID, kind: .videoEdit, userID: user.id,
                payloadJSON: String(decoding: try JSONEncoder.studio.encode(edit), as: UTF8.self))
            try await app.test(.router) { _ in
                try await JobQueue(redis: harness.redis).enqueue(
                    .videoEdit, payload: edit, id: edit.jobID.uuidString.lowercased())
                let done = try await eventually(timeout: .seconds(120)) {
                    try await harness.jobs.find(id: edit.jobID)?.status == .done
                }
                #expect(done)
            }
            let job = try #require(try await harness.jobs.find(id: edit.jobID))
            let resultID = try #require(job.resultFileID)
            let file = try #require(try await harness.files.find(id: resultID, userID: user.id))
            let result = URL(fileURLWithPath: directory + "/assets/" + file.key)

            // 4 s of the first clip and the whole 3 s of the second, in the first one's frame, with sound throughout.
            #expect(abs(try await FFmpeg.duration(of: result) - 7) < 0.2)
            let streams = try await FFmpeg.streams(of: result)
            #expect(streams.width == 1280 && streams.height == 720 && streams.audio)
            let audio = try await FFmpeg.run(
                [
                    "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=duration", "-of", "csv=p=0",
                    result.path,
                ],
                tool: "ffprobe")
            #expect(abs((Double(audio.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) - 7) < 0.2)

            // The caption at the top in yellow on a red box (1.5 s of the original is 0.5 s of the result).
            let top = try await Self.pixels(result, at: 2, crop: "iw:ih/4:0:0")
            let bottom = try await Self.pixels(result, at: 2, crop: "iw:ih/4:0:ih*3/4")
            #expect(Self.share(top, Self.red) > 0.02)
            #expect(Self.share(top, Self.yellow) > 0.002)
            #expect(Self.share(bottom, Self.red) < 0.001)
            // Gone after its end (3.5 s of the original is 2.5 s of the result).
            #expect(Self.share(try await Self.pixels(result, at: 3.5, crop: "iw:ih/4:0:0"), Self.red) < 0.001)

            // Fades: dark at the very start and the very end, the clip's own colour in between.
            let centre = "iw/4:ih/4:iw*3/8:ih*3/8"
            #expect(Self.mean(try await Self.pixels(result, at: 0.02, crop: centre)) < 15)
            #expect(abs(Self.mean(try await Self.pixels(result, at: 1.5, crop: centre)) - 80) < 20)
            #expect(Self.mean(try await Self.pixels(result, at: 6.9, crop: centre)) < 30)

            // The square clip sits in the wide frame between black bands.
            #expect(Self.mean(try await Self.pixels(result, at: 5, crop: "160:ih:0:0")) < 10)
            #expect(Self.mean(try await Self.pixels(result, at: 5, crop: "200:200:540:260")) > 170)
        }
    }

    @Test func aPictureIsFittedToASocialSizeRecolouredAndGivenTextLayers() async throws {
        let directory = NSTemporaryDirectory() + "worker-image-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await WorkerHarness.run(extra: ["STORAGE_DIR": directory]) { harness, app in
            let user = try await UserRepository(client: harness.postgres, logger: harness.logger).findOrCreate(
                email: "creator-image@example.jo"
            ).user
            let scratch = URL(fileURLWithPath: directory).appendingPathComponent("scratch")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let picture = scratch.appendingPathComponent("grey.png")
            try await FFmpeg.run([
                "-y", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=0x808080:s=800x600", "-frames:v", "1",
                picture.path,
            ])
            let storage = harness.settings.storage.areas(
                credentials: AWSCredentialsProvider(environment: [:]), links: nil)
            let sourceID = try await Self.store(
                picture, type: .png, name: "إعلان.png", userID: user.id, harness: harness, storage: storage)
            let story = JobPayloads.ImageEdit(
                jobID: UUID(), userID: user.id, fileID: sourceID, brightness: 50,
                layers: [
                    .init(
                        text: "خصم ٥٠٪ هذا الأسبوع", font: .kufi, size: 4, color: "#ff0000", outline: 12,
                        outlineColor: "#0000ff", x: 50, y: 15),
                    .init(text: "Amman", font: .sans, size: 3, color: "#ffff00", outline: 0, x: 50, y: 85),
                ],
                preset: .story, fit: .contain, background: "#00ff00")
            let square = JobPayloads.ImageEdit(
                jobID: UUID(), userID: user.id, fileID: sourceID, saturation: -100, preset: .instagramSquare,
                fit: .cover, format: .jpeg)
            for payload in [story, square] {
                _ = try await harness.jobs.create(
                    id: payload.jobID, kind: .imageEdit, userID: user.id,
                    payloadJSON: String(decoding: try JSONEncoder.studio.encode(payload), as: UTF8.self))
            }
            try await app.test(.router) { _ in
                let queue = JobQueue(redis: harness.redis)
                for payload in [story, square, story] {
                    try await queue.enqueue(.imageEdit, payload: payload, id: payload.jobID.uuidString.lowercased())
                }
                let done = try await eventually(timeout: .seconds(60)) {
                    let first = try await harness.jobs.find(id: story.jobID)?.status
                    let second = try await harness.jobs.find(id: square.jobID)?.status
                    return first == .done && second == .done
                }
                #expect(done)
                _ = try await eventually(timeout: .seconds(30)) {
                    let stats = try await queue.stats(.media)
                    return stats.length == 0 && stats.pending == 0
                }
            }
            func result(_ payload: JobPayloads.ImageEdit) async throws -> (StoredFile, URL) {
                let job = try #require(try await harness.jobs.find(id: payload.jobID))
                let resultID = try #require(job.resultFileID)
                let file = try #require(try await harness.files.find(id: resultID, userID: user.id))
                return (file, URL(fileURLWithPath: directory + "/assets/" + file.key))
            }
            let (poster, posterURL) = try await result(story)
            #expect(poster.name == "إعلان-story.png" && poster.contentType == "image/png")
            let size = try await FFmpeg.streams(of: posterURL)
            #expect(size.width == 1080 && size.height == 1920)
            // 800×600 fits 1080×810 in the middle; the bands are the chosen green, the picture is brighter.
            #expect(Self.share(try await Self.pixels(posterURL, crop: "iw:150:0:0"), Self.green) > 0.99)
            #expect(Self.share(try await Self.pixels(posterURL, crop: "iw:150:0:1400"), Self.green) > 0.99)
            #expect(Self.mean(try await Self.pixels(posterURL, crop: "400:300:340:800")) > 160)
            // The Arabic layer: red letters with a blue outline round (540, 288); the English one yellow near the bottom.
            let headline = try await Self.pixels(posterURL, crop: "iw:160:0:208")
            #expect(Self.share(headline, Self.red) > 0.01 && Self.share(headline, Self.blue) > 0.01)
            #expect(Self.share(try await Self.pixels(posterURL, crop: "iw:120:0:1572"), Self.yellow) > 0.01)

            let (photo, photoURL) = try await result(square)
            #expect(photo.name == "إعلان-instagram_square.jpg" && photo.contentType == "image/jpeg")
            let squareSize = try await FFmpeg.streams(of: photoURL)
            #expect(squareSize.width == 1080 && squareSize.height == 1080)
            // Cover: no bands; grey stays grey (saturation only removes colour).
            #expect(abs(Self.mean(try await Self.pixels(photoURL, crop: "100:100:0:0")) - 128) < 12)
            // Delivered twice, stored once: the source and two results.
            let rows = try await harness.postgres.query(
                "SELECT count(*)::int FROM files WHERE user_id = \(user.id)", logger: harness.logger)
            for try await count in rows.decode(Int.self) { #expect(count == 3) }
        }
    }

    @Test func scriptsCarryTheStyleAndTheLayers() {
        let style = EditOptions.CaptionStyle(
            size: 10, color: "#ffcc00", background: .outline, backgroundColor: "#112233", position: .middle,
            font: .naskh)
        let captions = SubtitleScript.captions(
            [.init(start: 0, end: 1, text: "x")], style: style, width: 1920, height: 1080)
        #expect(captions.contains("Style: Default,Noto Naskh Arabic,108,&H0000CCFF,&H0000CCFF,&H00332211,"))
        #expect(captions.contains(",1,9,0,5,96,96,60,1"))
        let layers = SubtitleScript.layers(
            [
                .init(
                    text: "سلام {\\b0}", font: .kufi, size: 10, color: "#ff0000", outline: 10, outlineColor: "#0000ff",
                    x: 25, y: 75)
            ],
            width: 1000, height: 500)
        #expect(
            layers.contains(
                "{\\an5\\pos(250,375)\\fnNoto Kufi Arabic\\fs50\\1c&H0000FF&\\3c&HFF0000&\\bord5.0\\shad0}سلام (⧵b0)"))
        let plain = JobPayloads.ImageEdit(jobID: UUID(), userID: UUID(), fileID: UUID(), contrast: 50)
        #expect(ImageEditJob.filters(plain, subtitles: nil) == "eq=brightness=0.000:contrast=1.500:saturation=1.000")
    }
}
