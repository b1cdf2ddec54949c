import Core
import Foundation
import Hummingbird
import Logging
import Prometheus

typealias AppRequestContext = BasicRequestContext

/// The handler of every job kind the worker runs.
func jobHandlers(
    settings: WorkerSettings, dependencies: StudioDependencies, office: OfficeConverter, logger: Logger
) -> [any JobHandler] {
    let storage = settings.storage.areas(
        credentials: AWSCredentialsProvider(environment: settings.source.values), links: nil)
    return [
        NoopJob(),
        UploadScanJob(
            scanner: UploadScanner(
                files: FileRepository(client: dependencies.postgres, logger: logger), storage: storage, logger: logger,
                probeMedia: true),
            files: FileRepository(client: dependencies.postgres, logger: logger),
            queue: JobQueue(redis: dependencies.redis)),
        ThumbnailJob(files: FileRepository(client: dependencies.postgres, logger: logger), storage: storage),
        AnalyticsRollupJob(postgres: dependencies.postgres),
        CleanupJob(
            postgres: dependencies.postgres,
            settlement: QuotaSettlement(redis: dependencies.redis, postgres: dependencies.postgres, logger: logger),
            stuckAfter: settings.stuckJobAfter, outbox: settings.outbox, outboxKeep: settings.outboxKeep),
        VideoFinalizeJob(
            jobs: JobRepository(client: dependencies.postgres, logger: logger),
            files: FileRepository(client: dependencies.postgres, logger: logger), storage: storage,
            settlement: QuotaSettlement(redis: dependencies.redis, postgres: dependencies.postgres, logger: logger),
            queue: JobQueue(redis: dependencies.redis), pollers: settings.videoPollers(client: .shared),
            pollInterval: settings.videoPollInterval, deadline: settings.videoDeadline),
        VideoEditJob(
            jobs: JobRepository(client: dependencies.postgres, logger: logger),
            files: FileRepository(client: dependencies.postgres, logger: logger), storage: storage),
        ImageEditJob(
            jobs: JobRepository(client: dependencies.postgres, logger: logger),
            files: FileRepository(client: dependencies.postgres, logger: logger), storage: storage),
        DocConvertJob(
            jobs: JobRepository(client: dependencies.postgres, logger: logger),
            files: FileRepository(client: dependencies.postgres, logger: logger), storage: storage, converter: office),
        DocExtractJob(
            jobs: JobRepository(client: dependencies.postgres, logger: logger),
            files: FileRepository(client: dependencies.postgres, logger: logger),
            texts: FileTextRepository(client: dependencies.postgres, logger: logger), storage: storage),
        PaymentsWebhooksJob(payments: PaymentRepository(client: dependencies.postgres, logger: logger)),
        SubscriptionRenewalsJob(
            subscriptions: SubscriptionRepository(client: dependencies.postgres, logger: logger),
            payments: PaymentRepository(client: dependencies.postgres, logger: logger),
            queue: JobQueue(redis: dependencies.redis), grace: settings.pastDueGrace),
        VideoDemoJob(
            jobs: JobRepository(client: dependencies.postgres, logger: logger),
            files: FileRepository(client: dependencies.postgres, logger: logger), storage: storage,
            settlement: QuotaSettlement(redis: dependencies.redis, postgres: dependencies.postgres, logger: logger)),
    ]
}

/// Wires the worker: the queue consumers and a small HTTP listener for health and metrics.
func buildApplication(
    settings: WorkerSettings, dependencies: StudioDependencies, registry: PrometheusCollectorRegistry,
    logger: Logger
) -> some ApplicationProtocol {
    let router = Router(context: AppRequestContext.self)
    router.addStudioMiddleware(telemetry: dependencies.telemetry)
    router.addOperationalRoutes(service: "worker", checks: dependencies.readinessChecks, registry: registry)
    let jobs = JobRepository(client: dependencies.postgres, logger: logger)
    let office = OfficeConverter(settings: settings.office, logger: logger)
    let worker = JobWorker(
        redis: dependencies.redis,
        handlers: jobHandlers(settings: settings, dependencies: dependencies, office: office, logger: logger),
        concurrency: settings.concurrency, policy: settings.policy,
        onDeadLetter: { envelope, reason in
            // A job that gave up frees the quota it reserved, and its `jobs` row says failed.
            struct Reserved: Decodable { let reservation: JobPayloads.Reservation? }
            if let reservation = (try? envelope.decodePayload(Reserved.self))?.reservation {
                _ = try? await dependencies.redis.send("ZREM", reservation.reservationsKey, reservation.member)
            }
            guard let id = UUID(uuidString: envelope.id) else { return }
            _ = try? await jobs.markFailed(id: id, reason: reason)
        },
        prepare: { try await dependencies.migrate(logger: logger) }, telemetry: dependencies.telemetry,
        logger: logger)
    return dependencies.application(
        router: router, name: "worker", settings: settings.common,
        extraServices: [
            worker,
            OfficeService(converter: office, logger: logger),
            QueueDepthGauge(queue: JobQueue(redis: dependencies.redis), every: .seconds(15), logger: logger),
            Scheduler(
                redis: dependencies.redis, queue: JobQueue(redis: dependencies.redis),
                schedules: [
                    .init(kind: .cleanup, every: settings.cleanupEvery),
                    .init(kind: .subscriptionRenewals, every: settings.renewalsEvery),
                    .init(kind: .analyticsRollup, every: settings.analyticsEvery),
                ], tick: .seconds(5), logger: logger),
        ], logger: logger)
}
