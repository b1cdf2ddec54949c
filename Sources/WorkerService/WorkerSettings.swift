import AsyncHTTPClient
import Core
import Foundation

/// Everything the worker reads from its environment.
struct WorkerSettings: Sendable {
    let common: CommonSettings
    let database: DatabaseSettings
    let redis: RedisSettings
    /// How many jobs of each queue run at once (`WORKER_CONCURRENCY_MEDIA=1`, …).
    let concurrency: [JobQueueName: Int]
    let policy: JobWorkerPolicy
    let storage: StorageSettings
    /// Veo (Gemini API): `VEO3_API_KEY` / `VEO3_BASE_URL`, or else `GOOGLE_API_KEY`.
    let veoKey: String?
    let veoBaseURL: String
    /// The local outbox the backend writes mail to outside prod (`OUTBOX_DIR`), cleaned after `OUTBOX_KEEP_DAYS`.
    let outbox: URL?
    let outboxKeep: TimeInterval
    /// Runway: `RUNWAYML_API_SECRET` / `RUNWAY_BASE_URL`.
    let runwayKey: String?
    let runwayBaseURL: String
    /// How often a provider's video operation is polled, and when the job gives up.
    let videoPollInterval: Duration
    let videoDeadline: Duration
    /// How often the cleanup runs, and when a `running` job counts as stuck.
    let cleanupEvery: Duration
    let stuckJobAfter: Duration
    let renewalsEvery: Duration
    let analyticsEvery: Duration
    /// How long a subscription may stay past due before it expires.
    let pastDueGrace: TimeInterval
    let office: OfficeSettings
    let source: ConfigSource

    init(_ source: ConfigSource) throws {
        common = try CommonSettings(source, defaultPort: 8083)
        storage = try StorageSettings(source, environment: common.environment)
        veoKey = source["VEO3_API_KEY"] ?? source["GOOGLE_API_KEY"]
        veoBaseURL = source.string(
            "VEO3_BASE_URL",
            default: source.string("GOOGLE_BASE_URL", default: "https://generativelanguage.googleapis.com"))
        outbox =
            common.environment == .prod && source["OUTBOX_DIR"] == nil
            ? nil : URL(fileURLWithPath: source.string("OUTBOX_DIR", default: ".data/outbox"))
        outboxKeep = TimeInterval(try source.int("OUTBOX_KEEP_DAYS", default: 7, range: 1...365) * 86_400)
        runwayKey = source["RUNWAYML_API_SECRET"]
        runwayBaseURL = source.string("RUNWAY_BASE_URL", default: "https://api.dev.runwayml.com")
        videoPollInterval = .milliseconds(try source.int("VIDEO_POLL_MS", default: 10_000, range: 10...600_000))
        videoDeadline = .seconds(try source.int("VIDEO_DEADLINE_SECONDS", default: 1800, range: 10...86_400))
        cleanupEvery = .seconds(try source.int("CLEANUP_EVERY_SECONDS", default: 900, range: 1...86_400))
        stuckJobAfter = .seconds(try source.int("STUCK_JOB_AFTER_SECONDS", default: 7200, range: 60...604_800))
        analyticsEvery = .seconds(try source.int("ANALYTICS_EVERY_SECONDS", default: 3600, range: 1...86_400))
        renewalsEvery = .seconds(try source.int("RENEWALS_EVERY_SECONDS", default: 86_400, range: 1...604_800))
        pastDueGrace = TimeInterval(try source.int("PAST_DUE_GRACE_DAYS", default: 7, range: 0...90) * 86_400)
        office = try OfficeSettings(source)
        self.source = source
        database = try DatabaseSettings(source)
        redis = try RedisSettings(source)
        let defaults: [JobQueueName: Int] = [.default: 2, .media: 1, .documents: 1, .payments: 2]
        var concurrency: [JobQueueName: Int] = [:]
        for queue in JobQueueName.allCases {
            concurrency[queue] = try source.int(
                "WORKER_CONCURRENCY_\(queue.rawValue.uppercased())", default: defaults[queue] ?? 1, range: 0...32)
        }
        self.concurrency = concurrency
        policy = JobWorkerPolicy(
            maxAttempts: try source.int("JOB_MAX_ATTEMPTS", default: 5, range: 1...50),
            reclaimIdle: .seconds(try source.int("JOB_RECLAIM_IDLE_SECONDS", default: 300, range: 5...86_400)))
    }
}

extension WorkerSettings {
    /// The pollers of the video providers that have a key.
    func videoPollers(client: HTTPClient) -> [String: any VideoOperationPoller] {
        var pollers: [String: any VideoOperationPoller] = [:]
        if let veoKey { pollers["google"] = VeoPoller(apiKey: veoKey, baseURL: veoBaseURL, client: client) }
        if let runwayKey { pollers["runway"] = RunwayPoller(apiKey: runwayKey, baseURL: runwayBaseURL, client: client) }
        return pollers
    }
}
