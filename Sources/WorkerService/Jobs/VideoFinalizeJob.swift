import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore

/// `video_finalize`: polls the provider's long-running operation (Veo through the Gemini API). Not
/// done yet → the job comes back after the poll interval; done → the clip is downloaded (an
/// authenticated Files API link), stored as the user's file, the job marked done and one video
/// settled; failed, filtered or past the deadline → the job fails with a reason and the
/// reservation is released.
struct VideoFinalizeJob: JobHandler {
    let kind = JobKind.videoFinalize
    let jobs: JobRepository
    let files: FileRepository
    let storage: StorageAreas
    let settlement: QuotaSettlement
    let queue: JobQueue
    let client: HTTPClient
    let apiKey: String?
    let baseURL: String
    let pollInterval: Duration
    let deadline: Duration

    enum Outcome: Equatable {
        case pending
        case video(uri: String)
        case failed(String)
    }

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let payload = try job.decodePayload(JobPayloads.VideoGenerate.self)
        guard let operation = payload.operation else {
            throw JobFailure.permanent("video_finalize without an operation")
        }
        guard let record = try await jobs.markRunning(id: payload.jobID) else { return }
        guard let apiKey else { return try await fail(payload, "the video provider is not configured", logger: logger) }
        switch try await poll(operation, apiKey: apiKey) {
        case .pending:
            let age = Date().timeIntervalSince(record.createdAt)
            if age > Double(deadline.components.seconds) {
                return try await fail(payload, "the video took too long to make", logger: logger)
            }
            try await queue.enqueue(.videoFinalize, payload: payload, id: job.id, after: pollInterval)
        case .failed(let reason):
            try await fail(payload, reason, logger: logger)
        case .video(let uri):
            let data = try await download(uri, apiKey: apiKey)
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

    /// Reads the operation: `done`, then `response.generateVideoResponse.generatedSamples[0].video.uri`,
    /// or `error`, or safety filtering (`raiMediaFilteredCount`).
    func poll(_ operation: String, apiKey: String) async throws -> Outcome {
        var request = HTTPClientRequest(url: baseURL.trimmingSuffix("/") + "/v1beta/" + operation)
        request.headers.add(name: "x-goog-api-key", value: apiKey)
        OutgoingHTTP.addTraceparent(to: &request.headers)
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 << 20)
        guard response.status.code == 200,
            let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        else { throw PollError.status(Int(response.status.code)) }
        guard json["done"] as? Bool == true else { return .pending }
        if let error = json["error"] as? [String: Any] {
            return .failed("the provider could not make the video (\(error["code"] as? Int ?? 0))")
        }
        let result = (json["response"] as? [String: Any])?["generateVideoResponse"] as? [String: Any] ?? [:]
        if let uri = ((result["generatedSamples"] as? [[String: Any]])?.first?["video"] as? [String: Any])?["uri"]
            as? String
        {
            return .video(uri: uri)
        }
        if (result["raiMediaFilteredCount"] as? Int ?? 0) > 0 {
            return .failed("the video was blocked by the provider's safety filters")
        }
        return .failed("the provider returned no video")
    }

    func download(_ uri: String, apiKey: String) async throws -> Data {
        var request = HTTPClientRequest(url: uri)
        request.headers.add(name: "x-goog-api-key", value: apiKey)
        let response = try await client.execute(request, timeout: .seconds(120))
        guard response.status.code == 200 else { throw PollError.status(Int(response.status.code)) }
        return Data(try await response.body.collect(upTo: 200 << 20).readableBytesView)
    }

    func fail(_ payload: JobPayloads.VideoGenerate, _ reason: String, logger: Logger) async throws {
        await settlement.release(payload.reservation)
        _ = try await jobs.markFailed(id: payload.jobID, reason: reason)
        logger.warning("video job failed", metadata: ["reason": "\(reason)"])
    }

    struct PollError: Error, CustomStringConvertible {
        let code: Int
        static func status(_ code: Int) -> PollError { PollError(code: code) }
        var description: String { "the video provider answered \(code)" }
    }
}
