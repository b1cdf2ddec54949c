import Core
import Foundation
import Logging

/// `image_edit` (the advanced image editor): a user's picture fitted to a social format's size (filled and
/// cut, or whole with bands), its brightness, contrast and saturation changed with ffmpeg's `eq`, and text
/// layers drawn by libass (Arabic joined and right to left), stored as a new PNG or JPEG beside the
/// original. The result's id comes from the job, so a re-run stores one file.
struct ImageEditJob: JobHandler {
    let kind = JobKind.imageEdit
    let jobs: JobRepository
    let files: FileRepository
    let storage: StorageAreas

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let payload = try job.decodePayload(JobPayloads.ImageEdit.self)
        guard try await jobs.markRunning(id: payload.jobID) != nil else {
            logger.info("edit already finished; nothing to do")
            return
        }
        guard let source = try await files.find(id: payload.fileID, userID: payload.userID), source.status == .ready,
            source.kind == "image", let type = source.type
        else {
            _ = try await jobs.markFailed(id: payload.jobID, reason: "only a ready picture can be edited")
            return
        }
        guard let original = try await storage.assets.get(key: source.key) else {
            _ = try await jobs.markFailed(id: payload.jobID, reason: "the original picture is no longer stored")
            return
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("image-\(payload.jobID.uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let input = work.appendingPathComponent("source.\(type.fileExtension)")
        try original.write(to: input)
        let size = try await FFmpeg.streams(of: input)
        let width = payload.preset?.width ?? size.width
        let height = payload.preset?.height ?? size.height
        var subtitles: URL?
        if !payload.layers.isEmpty {
            let script = work.appendingPathComponent("layers.ass")
            try SubtitleScript.layers(payload.layers, width: width, height: height).write(
                to: script, atomically: true, encoding: .utf8)
            subtitles = script
        }
        let format: FileType = payload.format == .jpeg ? .jpeg : .png
        let output = work.appendingPathComponent("edited.\(format.fileExtension)")
        var arguments = [
            "-y", "-loglevel", "error", "-i", input.path, "-frames:v", "1", "-vf",
            Self.filters(payload, subtitles: subtitles),
        ]
        arguments += format == .jpeg ? ["-q:v", "2", output.path] : ["-pix_fmt", "rgb24", output.path]
        try await FFmpeg.run(arguments, timeout: .seconds(120))

        let data = try Data(contentsOf: output)
        let resultID = UUID(derivedFrom: payload.jobID, "image")
        let key =
            "users/\(payload.userID.uuidString.lowercased())/\(resultID.uuidString.lowercased()).\(format.fileExtension)"
        try await storage.assets.put(key: key, data: data, contentType: format.contentType)
        let base = (source.name as NSString).deletingPathExtension
        let suffix = payload.preset.map { "-\($0.rawValue)" } ?? "-edited"
        _ = try await files.createReady(
            id: resultID, userID: payload.userID, type: format, key: key, bytes: Int64(data.count),
            name: (base.isEmpty ? "image" : base) + suffix + ".\(format.fileExtension)")
        _ = try await jobs.markDone(id: payload.jobID, resultFileID: resultID)
        logger.info(
            "picture edited",
            metadata: [
                "file_id": "\(resultID.uuidString.lowercased())", "size": "\(width)x\(height)",
                "layers": "\(payload.layers.count)",
            ])
    }

    /// The ffmpeg filter chain: the colour changes (on the picture alone, so bands keep the chosen colour),
    /// then the fit to the preset, then the text.
    static func filters(_ payload: JobPayloads.ImageEdit, subtitles: URL?) -> String {
        var filters: [String] = []
        if payload.brightness != 0 || payload.contrast != 0 || payload.saturation != 0 {
            // −100…100 on the page; eq's brightness is added to luma (±0.4 is already strong), contrast and
            // saturation multiply (0…2).
            filters.append(
                String(
                    format: "eq=brightness=%.3f:contrast=%.3f:saturation=%.3f", payload.brightness / 100 * 0.4,
                    1 + payload.contrast / 100, 1 + payload.saturation / 100))
        }
        if let preset = payload.preset {
            let (width, height) = (preset.width, preset.height)
            switch payload.fit {
            case .cover:
                filters.append("scale=\(width):\(height):force_original_aspect_ratio=increase,crop=\(width):\(height)")
            case .contain:
                let color = "0x" + payload.background.dropFirst()
                filters.append(
                    "scale=\(width):\(height):force_original_aspect_ratio=decrease,"
                        + "pad=\(width):\(height):(ow-iw)/2:(oh-ih)/2:color=\(color)")
            }
            filters.append("setsar=1")
        }
        if let subtitles {
            filters.append("ass=\(subtitles.path)")
        }
        return filters.isEmpty ? "null" : filters.joined(separator: ",")
    }
}
