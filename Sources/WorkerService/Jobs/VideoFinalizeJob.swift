import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore

/// `video_finalize`: polls the provider's long-running operation (Veo through the Gemini API, or a
/// Runway task). Not done yet → the job comes back after the poll interval; done → the clip is
/// downloaded, stored as the user's file with its poster, the job marked done and one video
/// settled; failed, filtered or past the deadline → the job fails with a reason and the
/// reservation is released.
struct VideoFinalizeJob: JobHandler {
    let kind = JobKind.videoFinalize
    let jobs: JobRepository
    let files: FileRepository
    let storage: StorageAreas
    let settlement: QuotaSettlement
    let queue: JobQueue
    /// One poller per configured provider, by the catalogue's provider name (`google`, `runway`).
    let pollers: [String: any VideoOperationPoller]
    let pollInterval: Duration
    let deadline: Duration

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let payload = try job.decodePayload(JobPayloads.VideoGenerate.self)
        guard let operation = payload.operation else {
            throw JobFailure.permanent("video_finalize without an operation")
        }
        guard let record = try await jobs.markRunning(id: payload.jobID) else { return }
        guard let poller = pollers[payload.provider] else {
            return try await fail(payload, "the video provider is not configured", logger: logger)
        }
        switch try await poller.poll(operation) {
        case .pending:
            let age = Date().timeIntervalSince(record.createdAt)
            if age > Double(deadline.components.seconds) {
                return try await fail(payload, "the video took too long to make", logger: logger)
            }
            try await queue.enqueue(.videoFinalize, payload: payload, id: job.id, after: pollInterval)
        case .failed(let reason):
            try await fail(payload, reason, logger: logger)
        case .video(let uri):
            let data = try await poller.download(uri)
            guard FileType.sniff(data) == .mp4 else {
                return try await fail(payload, "the provider's file is not a video", logger: logger)
            }
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("veo-\(payload.jobID.uuidString)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            let clip = work.appendingPathComponent("video.mp4")
            try data.write(to: clip)
            let fileID = try await StoredClip(files: files, storage: storage).store(
                clip, jobID: payload.jobID, userID: payload.userID, name: "video.mp4", work: work)
            guard try await jobs.markDone(id: payload.jobID, resultFileID: fileID) else { return }
            try await settlement.settle(
                payload.reservation, userID: payload.userID, billed: payload.reservation.amount, model: payload.model,
                meta: ["provider": payload.provider, "duration_s": String(payload.durationSeconds)])
            logger.info("video stored", metadata: ["file_id": "\(fileID)", "bytes": "\(data.count)"])
        }
    }

    func fail(_ payload: JobPayloads.VideoGenerate, _ reason: String, logger: Logger) async throws {
        await settlement.release(payload.reservation)
        _ = try await jobs.markFailed(id: payload.jobID, reason: reason)
        logger.warning("video job failed", metadata: ["reason": "\(reason)"])
    }

}
