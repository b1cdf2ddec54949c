import Core
import Foundation
import Logging

/// `thumbnail`: a 320-pixel-wide JPEG of an image (resized) or a video (a frame a second in, or the first),
/// stored as the user's file and named on the original. Its id comes from the original's, so a re-run stores
/// one thumbnail.
struct ThumbnailJob: JobHandler {
    let kind = JobKind.thumbnail
    let files: FileRepository
    let storage: StorageAreas

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let payload = try job.decodePayload(JobPayloads.Thumbnail.self)
        guard let file = try await files.find(id: payload.fileID), file.status == .ready,
            file.kind == "image" || file.kind == "video", let type = file.type
        else { return }
        guard let data = try await storage.assets.get(key: file.key) else { return }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("thumb-\(file.id.uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let input = work.appendingPathComponent("source.\(type.fileExtension)")
        try data.write(to: input)
        let output = work.appendingPathComponent("thumbnail.jpg")
        var arguments = ["-y", "-loglevel", "error"]
        if file.kind == "video" {
            let duration = (try? await FFmpeg.duration(of: input)) ?? 0
            arguments += ["-ss", duration > 2 ? "1" : "0"]
        }
        arguments += ["-i", input.path, "-frames:v", "1", "-vf", "scale='min(320,iw)':-2", "-q:v", "4", output.path]
        try await FFmpeg.run(arguments, timeout: .seconds(60))
        let jpeg = try Data(contentsOf: output)
        let thumbnailID = UUID(derivedFrom: file.id, "thumbnail")
        let key = "users/\(file.userID.uuidString.lowercased())/\(thumbnailID.uuidString.lowercased()).jpg"
        try await storage.assets.put(key: key, data: jpeg, contentType: FileType.jpeg.contentType)
        let base = (file.name as NSString).deletingPathExtension
        _ = try await files.createReady(
            id: thumbnailID, userID: file.userID, type: .jpeg, key: key, bytes: Int64(jpeg.count),
            name: (base.isEmpty ? "file" : base) + "-thumbnail.jpg")
        try await files.setThumbnail(id: file.id, thumbnailID: thumbnailID)
        logger.info(
            "thumbnail made", metadata: ["file_id": "\(file.id.uuidString.lowercased())", "bytes": "\(jpeg.count)"])
    }
}
