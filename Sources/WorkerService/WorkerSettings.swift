import Core

/// Everything the worker reads from its environment.
struct WorkerSettings: Sendable {
    let common: CommonSettings
    let database: DatabaseSettings
    let redis: RedisSettings
    /// How many jobs of each queue run at once (`WORKER_CONCURRENCY_MEDIA=1`, …).
    let concurrency: [JobQueueName: Int]
    let policy: JobWorkerPolicy
    let storage: StorageSettings
    let source: ConfigSource

    init(_ source: ConfigSource) throws {
        common = try CommonSettings(source, defaultPort: 8083)
        storage = try StorageSettings(source, environment: common.environment)
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
