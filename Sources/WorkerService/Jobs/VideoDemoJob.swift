import Core
import Foundation
import Logging

/// `video_demo`: the offline demo video, made here with ffmpeg — a 720p H.264 clip of the requested
/// length with the prompt drawn in correctly joined Arabic (or English) — stored as the user's file
/// with its poster frame,
/// the job marked done and one video settled from the reservation.
struct VideoDemoJob: JobHandler {
    let kind = JobKind.videoDemo
    let jobs: JobRepository
    let files: FileRepository
    let storage: StorageAreas
    let settlement: QuotaSettlement

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let payload = try job.decodePayload(JobPayloads.VideoGenerate.self)
        guard try await jobs.markRunning(id: payload.jobID) != nil else {
            logger.info("video job already finished; nothing to do")
            return
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("video-\(payload.jobID.uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let clip = work.appendingPathComponent("clip.mp4")
        try await Self.render(payload, into: clip, scratch: work)
        let fileID = try await StoredClip(files: files, storage: storage).store(
            clip, jobID: payload.jobID, userID: payload.userID, name: "video-demo.mp4", work: work)
        guard try await jobs.markDone(id: payload.jobID, resultFileID: fileID) else { return }
        try await settlement.settle(
            payload.reservation, userID: payload.userID, billed: payload.reservation.amount, model: payload.model,
            meta: ["provider": "demo", "duration_s": String(payload.durationSeconds)])
        logger.info("demo video made", metadata: ["file_id": "\(fileID)"])
    }

    /// A moving gradient with the prompt centred, H.264 at 25 fps, 720p in the requested orientation.
    static func render(_ payload: JobPayloads.VideoGenerate, into clip: URL, scratch: URL) async throws {
        let size = payload.aspectRatio == "9:16" ? "720x1280" : "1280x720"
        let textFile = scratch.appendingPathComponent("prompt.txt")
        try wrap(payload.prompt, width: payload.aspectRatio == "9:16" ? 22 : 40).write(
            to: textFile, atomically: true, encoding: .utf8)
        let text = [
            "drawtext=fontfile=\(FFmpeg.arabicFont)", "textfile=\(textFile.path)", "text_shaping=1", "fontsize=56",
            "fontcolor=white", "line_spacing=18", "x=(w-text_w)/2", "y=(h-text_h)/2", "box=1", "boxcolor=black@0.25",
            "boxborderw=24",
        ].joined(separator: ":")
        try await FFmpeg.run([
            "-y", "-loglevel", "error", "-f", "lavfi",
            "-i", "gradients=s=\(size):d=\(payload.durationSeconds):speed=0.02:c0=0x0f766e:c1=0x1d2433:c2=0x5b21b6",
            "-vf", "\(text),format=yuv420p", "-c:v", "libx264", "-preset", "veryfast", "-r", "25",
            "-movflags", "+faststart", clip.path,
        ])
    }

    /// Breaks the prompt into lines of about `width` characters, at spaces.
    static func wrap(_ text: String, width: Int) -> String {
        var lines: [String] = []
        var current = ""
        for word in text.split(whereSeparator: \.isWhitespace).prefix(60) {
            if !current.isEmpty && current.count + word.count + 1 > width {
                lines.append(current)
                current = ""
            }
            current += current.isEmpty ? String(word) : " " + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines.prefix(5).joined(separator: "\n")
    }
}
