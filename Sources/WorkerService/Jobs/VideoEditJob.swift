import Core
import Foundation
import Logging

/// `video_edit`: trims a user's video (exact cuts, re-encoded) and burns in captions with libass and an
/// Arabic-capable font (Noto Sans Arabic, from fonts-noto-core: joined letters, right-to-left lines; Amiri's
/// tall line metrics make libass draw it too small), then stores the MP4 with a thumbnail.
/// Result ids come from the job, so a re-run stores the same two files.
struct VideoEditJob: JobHandler {
    let kind = JobKind.videoEdit
    let jobs: JobRepository
    let files: FileRepository
    let storage: StorageAreas

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let payload = try job.decodePayload(JobPayloads.VideoEdit.self)
        guard try await jobs.markRunning(id: payload.jobID) != nil else {
            logger.info("edit already finished; nothing to do")
            return
        }
        guard let source = try await files.find(id: payload.fileID, userID: payload.userID), source.status == .ready,
            source.kind == "video"
        else {
            _ = try await jobs.markFailed(id: payload.jobID, reason: "only a ready video can be edited")
            return
        }
        guard let original = try await storage.assets.get(key: source.key) else {
            _ = try await jobs.markFailed(id: payload.jobID, reason: "the original video is no longer stored")
            return
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("edit-\(payload.jobID.uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let input = work.appendingPathComponent("source.\(source.type?.fileExtension ?? "mp4")")
        try original.write(to: input)
        let duration = try await FFmpeg.duration(of: input)
        let end = min(payload.end ?? duration, duration)
        guard payload.start < end else {
            _ = try await jobs.markFailed(id: payload.jobID, reason: "the start is after the end of the video")
            return
        }
        let (width, height) = try await Self.size(of: input)
        let output = work.appendingPathComponent("edited.mp4")
        var arguments = [
            "-y", "-loglevel", "error", "-ss", Self.seconds(payload.start), "-to", Self.seconds(end), "-i", input.path,
        ]
        let shifted = Self.shift(payload.captions, by: payload.start, length: end - payload.start)
        if !shifted.isEmpty {
            let subtitles = work.appendingPathComponent("captions.ass")
            try Self.ass(shifted, width: width, height: height).write(to: subtitles, atomically: true, encoding: .utf8)
            arguments += [
                "-vf", "ass=\(subtitles.path):fontsdir=\((FFmpeg.arabicFont as NSString).deletingLastPathComponent)",
            ]
        }
        arguments += [
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-movflags", "+faststart", output.path,
        ]
        try await FFmpeg.run(arguments, timeout: .seconds(600))

        let base = (source.name as NSString).deletingPathExtension
        let videoID = try await StoredClip(files: files, storage: storage).store(
            output, jobID: payload.jobID, userID: payload.userID,
            name: (base.isEmpty ? "video" : base) + "-edited.mp4", work: work)
        _ = try await jobs.markDone(id: payload.jobID, resultFileID: videoID)
        logger.info(
            "video edited",
            metadata: ["file_id": "\(videoID.uuidString.lowercased())", "seconds": "\(end - payload.start)"])
    }

    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// Width and height of the first video stream.
    static func size(of file: URL) async throws -> (Int, Int) {
        let text = try await FFmpeg.run(
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0",
                file.path,
            ],
            tool: "ffprobe", timeout: .seconds(30))
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").compactMap { Int($0) }
        guard parts.count == 2 else { throw FFmpeg.Failure(tool: "ffprobe", status: 0, output: text) }
        return (parts[0], parts[1])
    }

    /// Captions moved to the trimmed clip's time, cut to it, and dropped when outside it.
    static func shift(_ captions: [JobPayloads.VideoEdit.Caption], by offset: Double, length: Double)
        -> [JobPayloads.VideoEdit.Caption]
    {
        captions.compactMap { caption in
            let start = max(0, caption.start - offset)
            let end = min(length, caption.end - offset)
            guard end > start else { return nil }
            return .init(start: start, end: end, text: caption.text)
        }
    }

    /// An ASS script sized to the video: white text on a translucent box at the bottom, about 7% of the height. libass shapes Arabic (HarfBuzz) and orders right-to-left text (FriBidi).
    static func ass(_ captions: [JobPayloads.VideoEdit.Caption], width: Int, height: Int) -> String {
        func time(_ value: Double) -> String {
            let centiseconds = Int((value * 100).rounded())
            return String(
                format: "%d:%02d:%02d.%02d", centiseconds / 360_000, centiseconds / 6000 % 60, centiseconds / 100 % 60,
                centiseconds % 100)
        }
        let size = max(24, height * 7 / 100)
        var script = """
            [Script Info]
            ScriptType: v4.00+
            PlayResX: \(width)
            PlayResY: \(height)
            WrapStyle: 0

            [V4+ Styles]
            Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
            Style: Default,Noto Sans Arabic,\(size),&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,3,\(max(2, size / 12)),0,2,\(width / 20),\(width / 20),\(height / 18),1

            [Events]
            Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text

            """
        for caption in captions {
            // ASS reads "{" as an override block and "\\N" as a line break: keep the user's text as text.
            let text = caption.text.replacingOccurrences(of: "\\", with: "\u{29F5}").replacingOccurrences(
                of: "{", with: "("
            )
            .replacingOccurrences(of: "}", with: ")").replacingOccurrences(of: "\r", with: "")
            .replacingOccurrences(of: "\n", with: "\\N")
            script += "Dialogue: 0,\(time(caption.start)),\(time(caption.end)),Default,,0,0,0,,\(text)\n"
        }
        return script
    }
}
