import Core
import Foundation
import Logging

/// `video_edit`: trims a user's video (exact cuts, re-encoded), joins the clips asked for after it, fades
/// in and out, and burns in captions in the chosen style with libass and an Arabic-capable font (Noto, from
/// fonts-noto-core: joined letters, right-to-left lines; Amiri's tall line metrics make libass draw it too
/// small), then stores the MP4 with a thumbnail.
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
        // Clips joined after this one: the user's own ready videos, played whole.
        var clips = [Clip(url: input, length: end - payload.start, streams: try await FFmpeg.streams(of: input))]
        for (index, id) in (payload.join ?? []).enumerated() {
            guard let file = try await files.find(id: id, userID: payload.userID), file.status == .ready,
                file.kind == "video", let bytes = try await storage.assets.get(key: file.key)
            else {
                _ = try await jobs.markFailed(id: payload.jobID, reason: "a clip to join is not a ready video")
                return
            }
            let url = work.appendingPathComponent("join-\(index).\(file.type?.fileExtension ?? "mp4")")
            try bytes.write(to: url)
            clips.append(
                Clip(url: url, length: try await FFmpeg.duration(of: url), streams: try await FFmpeg.streams(of: url)))
        }
        let total = clips.reduce(0) { $0 + $1.length }
        guard total <= Self.longest else {
            _ = try await jobs.markFailed(id: payload.jobID, reason: "the joined video would be longer than 10 minutes")
            return
        }
        let output = work.appendingPathComponent("edited.mp4")
        var subtitles: URL?
        let shifted = Self.shift(payload.captions, by: payload.start, length: total)
        if !shifted.isEmpty {
            let script = work.appendingPathComponent("captions.ass")
            try SubtitleScript.captions(
                shifted, style: payload.style ?? .standard, width: clips[0].streams.width,
                height: clips[0].streams.height
            ).write(to: script, atomically: true, encoding: .utf8)
            subtitles = script
        }
        let graph = Self.filterGraph(
            clips: clips, subtitles: subtitles, fadeIn: payload.fadeIn ?? 0, fadeOut: payload.fadeOut ?? 0)
        var arguments = [
            "-y", "-loglevel", "error", "-ss", Self.seconds(payload.start), "-to", Self.seconds(end), "-i", input.path,
        ]
        for clip in clips.dropFirst() { arguments += ["-i", clip.url.path] }
        arguments += ["-filter_complex", graph.filter, "-map", "[v]"]
        if graph.audio { arguments += ["-map", "[a]", "-c:a", "aac", "-b:a", "160k"] }
        arguments += [
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
            output.path,
        ]
        try await FFmpeg.run(arguments, timeout: .seconds(900))

        let base = (source.name as NSString).deletingPathExtension
        let videoID = try await StoredClip(files: files, storage: storage).store(
            output, jobID: payload.jobID, userID: payload.userID,
            name: (base.isEmpty ? "video" : base) + "-edited.mp4", work: work)
        _ = try await jobs.markDone(id: payload.jobID, resultFileID: videoID)
        logger.info(
            "video edited",
            metadata: [
                "file_id": "\(videoID.uuidString.lowercased())", "seconds": "\(total)", "clips": "\(clips.count)",
            ])
    }

    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// The longest result a join may make, in seconds.
    static let longest: Double = 600

    /// A video to put into the result: the first one already cut to its part.
    struct Clip {
        let url: URL
        let length: Double
        let streams: FFmpeg.Streams
    }

    /// One ffmpeg filter graph for the whole edit, output on `[v]` (and `[a]` when any clip has sound).
    /// Joined clips are scaled into the first one's frame (bands where the shape differs), set to its
    /// frame rate, and given silence when they have no sound, so `concat` sees matching streams; then the
    /// fades and the captions apply to the joined result.
    static func filterGraph(clips: [Clip], subtitles: URL?, fadeIn: Double, fadeOut: Double)
        -> (filter: String, audio: Bool)
    {
        let first = clips[0].streams
        let audio = clips.contains { $0.streams.audio }
        let total = clips.reduce(0) { $0 + $1.length }
        var parts: [String] = []
        var video = "[0:v]"
        var sound = "[0:a]"
        if clips.count > 1 {
            var inputs = ""
            for (index, clip) in clips.enumerated() {
                parts.append(
                    "[\(index):v]scale=\(first.width):\(first.height):force_original_aspect_ratio=decrease,"
                        + "pad=\(first.width):\(first.height):(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,"
                        + "fps=\(first.rate),format=yuv420p[v\(index)]")
                inputs += "[v\(index)]"
                if audio {
                    if clip.streams.audio {
                        parts.append(
                            "[\(index):a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[a\(index)]")
                    } else {
                        parts.append(
                            "anullsrc=r=48000:cl=stereo,atrim=duration=\(seconds(clip.length)),"
                                + "aformat=sample_fmts=fltp:channel_layouts=stereo[a\(index)]")
                    }
                    inputs += "[a\(index)]"
                }
            }
            parts.append("\(inputs)concat=n=\(clips.count):v=1:a=\(audio ? 1 : 0)[vc]" + (audio ? "[ac]" : ""))
            video = "[vc]"
            sound = "[ac]"
        }
        let fadeIn = min(max(0, fadeIn), total / 2)
        let fadeOut = min(max(0, fadeOut), total / 2)
        var videoFilters: [String] = []
        var audioFilters: [String] = []
        if fadeIn > 0 {
            videoFilters.append("fade=t=in:st=0:d=\(seconds(fadeIn))")
            audioFilters.append("afade=t=in:st=0:d=\(seconds(fadeIn))")
        }
        if fadeOut > 0 {
            videoFilters.append("fade=t=out:st=\(seconds(total - fadeOut)):d=\(seconds(fadeOut))")
            audioFilters.append("afade=t=out:st=\(seconds(total - fadeOut)):d=\(seconds(fadeOut))")
        }
        if let subtitles {
            videoFilters.append(
                "ass=\(subtitles.path):fontsdir=\((FFmpeg.arabicFont as NSString).deletingLastPathComponent)")
        }
        parts.append("\(video)\(videoFilters.isEmpty ? "null" : videoFilters.joined(separator: ","))[v]")
        if audio {
            parts.append("\(sound)\(audioFilters.isEmpty ? "anull" : audioFilters.joined(separator: ","))[a]")
        }
        return (parts.joined(separator: ";"), audio)
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
}
