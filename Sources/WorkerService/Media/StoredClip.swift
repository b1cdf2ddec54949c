import Core
import Foundation

/// Stores a finished MP4 as the user's file together with its poster frame (a 640 px wide JPEG from
/// the first second), under ids derived from the job so a job run twice writes the same rows. A clip
/// ffmpeg cannot read a frame from is still stored, without a poster.
struct StoredClip {
    let files: FileRepository
    let storage: StorageAreas

    /// Returns the video's file id. `clip` is the MP4 on disk; `work` a scratch folder for the poster.
    func store(_ clip: URL, jobID: UUID, userID: UUID, name: String, work: URL) async throws -> UUID {
        let user = userID.uuidString.lowercased()
        let posterID = try? await poster(of: clip, jobID: jobID, userID: userID, work: work)
        let videoID = UUID(derivedFrom: jobID, "video")
        let video = try Data(contentsOf: clip)
        let key = "users/\(user)/\(videoID.uuidString.lowercased()).mp4"
        try await storage.assets.put(key: key, data: video, contentType: FileType.mp4.contentType)
        _ = try await files.createReady(
            id: videoID, userID: userID, type: .mp4, key: key, bytes: Int64(video.count), name: name,
            thumbnailID: posterID)
        return videoID
    }

    private func poster(of clip: URL, jobID: UUID, userID: UUID, work: URL) async throws -> UUID {
        let length = (try? await FFmpeg.duration(of: clip)) ?? 2
        let poster = work.appendingPathComponent("poster-\(jobID.uuidString).jpg")
        try await FFmpeg.run([
            "-y", "-loglevel", "error", "-ss", String(format: "%.3f", min(1, length / 2)), "-i", clip.path,
            "-frames:v", "1", "-vf", "scale=640:-2", "-q:v", "4", poster.path,
        ])
        let posterID = UUID(derivedFrom: jobID, "thumbnail")
        let jpeg = try Data(contentsOf: poster)
        let key = "users/\(userID.uuidString.lowercased())/\(posterID.uuidString.lowercased()).jpg"
        try await storage.assets.put(key: key, data: jpeg, contentType: FileType.jpeg.contentType)
        _ = try await files.createReady(
            id: posterID, userID: userID, type: .jpeg, key: key, bytes: Int64(jpeg.count), name: "thumbnail.jpg")
        return posterID
    }
}
