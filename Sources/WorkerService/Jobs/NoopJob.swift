import Core
import Logging

/// A job that does nothing but prove the queue end to end (and wake a worker in smoke tests).
struct NoopJob: JobHandler {
    struct Payload: Codable, Sendable {
        let note: String?
    }

    let kind = JobKind.noop

    func handle(_ job: JobEnvelope, logger: Logger) async throws {
        let payload = try job.decodePayload(Payload.self)
        logger.info("noop job ran", metadata: ["note": .string(payload.note ?? "")])
    }
}
