import Core
import Foundation
import Hummingbird
import Logging

/// `POST /v1/video/generate` starts a video job (moderation, a video reservation, the provider's
/// start call, a `jobs` row and a queue entry); `GET /v1/video/jobs/{id}` reports it. The worker
/// finishes the job, stores the clip and settles or releases the reservation.
struct VideoRoutes {
    static let aspectRatios = ["16:9", "9:16"]
    /// A reservation outlives the longest job: a worker that dies does not hold the allowance forever.
    static let reservationLifetime: Duration = .seconds(3 * 3600)

    let catalog: ModelCatalog
    let providers: [String: any VideoProvider]
    let ledger: QuotaLedger
    let moderator: any Moderator
    let jobs: JobRepository
    let files: FileRepository
    let queue: JobQueue
    let storage: StorageAreas
    let linkLifetime: Int

    struct GenerateRequest: Decodable {
        let model: String?
        let prompt: String?
        let durationSeconds: Int?
        let aspectRatio: String?

        enum CodingKeys: String, CodingKey {
            case model, prompt
            case durationSeconds = "duration_s"
            case aspectRatio = "aspect_ratio"
        }
    }

    struct Started: ResponseEncodable {
        let jobID: UUID
        let status: String
        let model: String
        let demo: Bool

        enum CodingKeys: String, CodingKey {
            case status, model, demo
            case jobID = "job_id"
        }
    }

    struct JobView: ResponseEncodable {
        struct Output: Encodable {
            let fileID: UUID
            let url: String
            let expiresAt: Date
            let thumbnailURL: String?

            enum CodingKeys: String, CodingKey {
                case url
                case fileID = "file_id"
                case expiresAt = "expires_at"
                case thumbnailURL = "thumbnail_url"
            }
        }

        let jobID: UUID
        let kind: String
        let status: String
        let error: String?
        let prompt: String?
        let model: String?
        let createdAt: Date
        let file: Output?

        enum CodingKeys: String, CodingKey {
            case kind, status, error, prompt, model, file
            case jobID = "job_id"
            case createdAt = "created_at"
        }
    }

    struct JobList: ResponseEncodable {
        let jobs: [JobView]
    }

    static let videoKinds: [JobKind] = [.videoGenerate, .videoFinalize, .videoDemo, .videoEdit]

    func register(on metered: RouterGroup<GatewayRequestContext>, signedIn: RouterGroup<GatewayRequestContext>) {
        metered.post("video/generate", use: generate)
        signedIn.get("video/jobs", use: list)
        signedIn.get("video/jobs/:id", use: status)
    }

    @Sendable func generate(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let body = try await request.decode(as: GenerateRequest.self, context: context)
        let (model, unitCost) = try catalog.resolve(body.model, modality: .video, implemented: providers.keys)
        guard providers[model.provider] != nil else { throw AppError.modelUnavailable(model.id) }
        let prompt = (body.prompt ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...2000).contains(prompt.count) else {
            throw AppError.validation(
                "Describe the video in 1 to 2,000 characters.", "صف الفيديو في 1 إلى 2000 حرف.", field: "prompt")
        }
        let longest = model.maxSeconds ?? 8
        let duration = body.durationSeconds ?? min(8, longest)
        guard (4...longest).contains(duration) else {
            throw AppError.validation(
                "duration_s must be between 4 and \(longest) seconds.", "يجب أن تكون المدة بين 4 و\(longest) ثوانٍ.",
                field: "duration_s")
        }
        let aspect = body.aspectRatio ?? "16:9"
        guard Self.aspectRatios.contains(aspect) else {
            throw AppError.validation(
                "aspect_ratio must be 16:9 or 9:16.", "يجب أن تكون النسبة 16:9 أو 9:16.", field: "aspect_ratio")
        }
        let reservation = try await ledger.reserve(
            userID: user.id, kind: .video, amount: Int64(unitCost.rounded(.up)), lifetime: Self.reservationLifetime,
            moderating: [prompt], with: moderator, admission: context.admission, logger: context.logger)
        let jobID = UUID()
        do {
            let (started, operation) = try await Telemetry.span("provider \(model.provider) video start", kind: .client)
            {
                span in
                span?.attributes["gen_ai.system"] = model.provider
                span?.attributes["gen_ai.request.model"] = model.upstream
                return try await start(
                    model, prompt: prompt, durationSeconds: duration, aspectRatio: aspect, logger: context.logger)
            }
            let payload = JobPayloads.VideoGenerate(
                jobID: jobID, userID: user.id, model: started.id, provider: started.provider,
                upstream: started.upstream,
                prompt: prompt, durationSeconds: duration, aspectRatio: aspect, operation: operation,
                reservation: ledger.reference(reservation))
            let payloadJSON = String(decoding: try JSONEncoder.studio.encode(payload), as: UTF8.self)
            _ = try await jobs.create(id: jobID, kind: .videoGenerate, userID: user.id, payloadJSON: payloadJSON)
            do {
                try await queue.enqueue(
                    operation == nil ? .videoDemo : .videoFinalize, payload: payload, id: jobID.uuidString.lowercased())
            } catch {
                _ = try? await jobs.markFailed(id: jobID, reason: "the job could not be queued")
                throw error
            }
            context.logger.info("video job started", metadata: ["job_id": "\(jobID)", "model": "\(started.id)"])
            var response = try Started(
                jobID: jobID, status: "queued", model: started.id, demo: started.provider == "demo"
            )
            .response(from: request, context: context)
            response.status = .accepted
            return response
        } catch {
            await ledger.release(reservation)
            throw (error as? ProviderError)?.appError ?? error
        }
    }

    /// Starts the model, or its fallbacks (video falls back by default, e.g. Veo → Runway) when its
    /// provider fails with a 5xx, a timeout or overload. A fallback must allow the requested length.
    func start(
        _ model: CatalogModel, prompt: String, durationSeconds: Int, aspectRatio: String, logger: Logger
    ) async throws -> (CatalogModel, String?) {
        let chain =
            [model]
            + model.fallbacks.compactMap(catalog.model).filter {
                $0.modality == .video && catalog.isAvailable($0) && durationSeconds <= ($0.maxSeconds ?? 8)
            }
        var lastError: (any Error)?
        for candidate in chain {
            guard let provider = providers[candidate.provider] else { continue }
            do {
                let operation = try await provider.start(
                    VideoRequest(
                        upstreamModel: candidate.upstream, prompt: prompt, durationSeconds: durationSeconds,
                        aspectRatio: aspectRatio))
                return (candidate, operation)
            } catch let error as ProviderError {
                ProviderError.count(error, model: candidate)
                guard error.allowsFallback else { throw error }
                logger.warning(
                    "video provider failed, trying the next model",
                    metadata: ["model": "\(candidate.id)", "error": "\(error)"])
                lastError = error
            }
        }
        throw lastError ?? ProviderError.unavailable(provider: model.provider, status: 0)
    }

    @Sendable func status(_ request: Request, context: GatewayRequestContext) async throws -> JobView {
        let user = try context.requireUser()
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let job = try await jobs.find(id: id), job.userID == user.id, Self.videoKinds.contains(job.kind)
        else { throw AppError.notFound }
        return try await view(of: job, userID: user.id)
    }

    /// The user's 20 newest video jobs (made and edited), newest first: the video page's queue panel.
    @Sendable func list(_ request: Request, context: GatewayRequestContext) async throws -> JobList {
        let user = try context.requireUser()
        var views: [JobView] = []
        for job in try await jobs.recent(userID: user.id, kinds: Self.videoKinds, limit: 20) {
            views.append(try await view(of: job, userID: user.id))
        }
        return JobList(jobs: views)
    }

    private func view(of job: JobRecord, userID: UUID) async throws -> JobView {
        var output: JobView.Output?
        if job.status == .done, let fileID = job.resultFileID,
            let file = try await files.find(id: fileID, userID: userID)
        {
            let now = Date()
            let url = try await storage.assets.signedDownloadURL(
                key: file.key, expiresIn: linkLifetime, fileName: file.name, now: now)
            var thumbnail: String?
            if let thumbnailID = file.thumbnailID, let picture = try await files.find(id: thumbnailID, userID: userID) {
                thumbnail = try await storage.assets.signedDownloadURL(
                    key: picture.key, expiresIn: linkLifetime, fileName: picture.name, now: now
                ).absoluteString
            }
            output = .init(
                fileID: fileID, url: url.absoluteString, expiresAt: now.addingTimeInterval(TimeInterval(linkLifetime)),
                thumbnailURL: thumbnail)
        }
        let payload = (try? JSONSerialization.jsonObject(with: Data(job.payloadJSON.utf8))) as? [String: Any]
        return JobView(
            jobID: job.id, kind: job.kind.rawValue, status: job.status.rawValue, error: job.error,
            prompt: payload?["prompt"] as? String, model: payload?["model"] as? String, createdAt: job.createdAt,
            file: output)
    }
}
