import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Users recently read by `SessionAuthenticator`, so a busy process does not ask PostgreSQL for the
/// same row on every request. Trusted only while `UserChangeListener` is hearing PostgreSQL: every
/// change to a user row (sign-out everywhere, a blocked account, a new locale) is announced by a
/// trigger with `NOTIFY user_changed` and drops the entry as soon as it arrives. When the listener
/// loses its connection, or has not confirmed it recently, the cache is emptied and every request
/// reads the row again until the listener is back.
public final class SessionUserCache: Sendable {
    struct State {
        var entries: [UUID: (user: User, expires: ContinuousClock.Instant)] = [:]
        /// Moves on every eviction: a row read before an eviction is never stored after it.
        var epoch: UInt64 = 0
        /// Until when the listener's last confirmation is good.
        var liveUntil: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    /// Session tokens already verified: kept beside the users, as the same requests use both.
    public let verifiedTokens = VerifiedTokens()
    /// How long an entry is used at most (a bound on memory and on anything the listener missed).
    public let lifetime: Duration
    /// How long a confirmation from the listener keeps the cache trusted.
    public let confirmationLifetime: Duration
    let capacity: Int

    public init(lifetime: Duration = .seconds(10), confirmationLifetime: Duration = .seconds(3), capacity: Int = 50_000)
    {
        self.lifetime = lifetime
        self.confirmationLifetime = confirmationLifetime
        self.capacity = capacity
    }

    /// Whether the cache is trusted now.
    public var isLive: Bool {
        state.withLock { state in state.liveUntil.map { $0 > .now } ?? false }
    }

    /// The cached user, when the cache is trusted and the entry fresh.
    public func user(_ id: UUID) -> User? {
        state.withLock { state in
            let now = ContinuousClock.now
            guard let live = state.liveUntil, live > now, let entry = state.entries[id], entry.expires > now else {
                return nil
            }
            return entry.user
        }
    }

    /// Call before reading a row from PostgreSQL; hand the result to `store(_:readAt:)`.
    public func readMark() -> UInt64 {
        state.withLock { $0.epoch }
    }

    /// Keeps `user`, unless an eviction happened since `mark` (the row read may be older than it) or
    /// the cache is not trusted now.
    public func store(_ user: User, readAt mark: UInt64) {
        state.withLock { state in
            guard state.epoch == mark, let live = state.liveUntil, live > .now else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[user.id] = (user, .now + lifetime)
        }
    }

    /// A user row changed.
    public func evict(_ id: UUID) {
        state.withLock { state in
            state.epoch &+= 1
            state.entries[id] = nil
        }
    }

    /// The listener confirmed it is connected and listening.
    public func confirm() {
        state.withLock { $0.liveUntil = .now + confirmationLifetime }
    }

    /// The listener lost PostgreSQL: trust nothing until it is back.
    public func lose() {
        state.withLock { state in
            state.epoch &+= 1
            state.entries.removeAll()
            state.liveUntil = nil
        }
    }
}

/// Keeps a connection of its own to PostgreSQL, `LISTEN`s on `user_changed` (migration 9's trigger
/// sends the user id on every update or delete of a user row), evicts those users from the cache,
/// and confirms the connection every second with a query. Reconnects after a second when the
/// connection fails; meanwhile the cache is not used.
public struct UserChangeListener: Service {
    public static let channel = "user_changed"
    /// The `application_name` of its connection, so operators (and tests) can find it in `pg_stat_activity`.
    public static let applicationName = "studio-user-changes"

    let settings: DatabaseSettings
    let cache: SessionUserCache
    let logger: Logger
    let heartbeat: Duration

    public init(settings: DatabaseSettings, cache: SessionUserCache, logger: Logger, heartbeat: Duration = .seconds(1))
    {
        self.settings = settings
        self.cache = cache
        self.logger = logger
        self.heartbeat = heartbeat
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var failures = 0
            while !Task.isCancelled {
                do {
                    // Not held by the attempt once cancelled: postgres-nio can leave a query on a connection
                    // closed under it unanswered (seen at shutdown), and the service group would wait forever.
                    try await Abandonable.run { try await listenOnce() }
                } catch {
                    cache.lose()
                    if Task.isCancelled { break }
                    failures += 1
                    // Said once per outage, not once a second.
                    if failures == 1 {
                        logger.warning(
                            "user change listener lost PostgreSQL; reading users on every request",
                            metadata: ["error": "\(error)"])
                    }
                }
                try? await Task.sleep(for: .seconds(1))
            }
            cache.lose()
        }
    }

    private func listenOnce() async throws {
        let connection = try await connect()
        // Cancelled (shutdown), the connection is closed: whatever waits on it — the notifications, a
        // heartbeat query — ends at once instead of holding the service up.
        try await withTaskCancellationHandler {
            do {
                try await listen(on: connection)
            } catch {
                try? await connection.close()
                throw error
            }
        } onCancel: {
            connection.close().whenComplete { _ in }
        }
    }

    struct ConnectTimedOut: Error {}

    /// Connects within 10 s, or throws: a server that accepts the connection but never finishes its
    /// start-up would otherwise hold the listener (and a shutdown) forever. A connection that completes
    /// after the deadline is closed.
    private func connect() async throws -> PostgresConnection {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let connecting: EventLoopFuture<PostgresConnection> = PostgresConnection.connect(
            on: loop, configuration: try configuration(), id: 0, logger: logger)
        let answer = loop.makePromise(of: PostgresConnection.self)
        // Whichever comes first, the connection or the deadline, completes the answer.
        let answered = NIOLockedValueBox(false)
        let first: @Sendable () -> Bool = {
            answered.withLockedValue { done in
                defer { done = true }
                return !done
            }
        }
        let deadline = loop.scheduleTask(in: .seconds(10)) { if first() { answer.fail(ConnectTimedOut()) } }
        connecting.whenComplete { result in
            deadline.cancel()
            switch result {
            case .success(let connection):
                if first() { answer.succeed(connection) } else { connection.close().whenComplete { _ in } }
            case .failure(let error):
                if first() { answer.fail(error) }
            }
        }
        return try await answer.futureResult.get()
    }

    private func listen(on connection: PostgresConnection) async throws {
        try await connection.listen(on: Self.channel) { notifications in
            // Anything missed while no one listened is unknown: start empty.
            cache.lose()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await notification in notifications {
                        if let id = UUID(uuidString: notification.payload) { cache.evict(id) }
                    }
                    throw ListenEnded()
                }
                group.addTask {
                    while true {
                        // A reply proves the connection (and so the LISTEN on it) is alive; none within
                        // five heartbeats, and it is given up (a connection closed under a query, or a
                        // network that stopped answering, may never answer nor fail).
                        try await Abandonable.run(timeout: heartbeat * 5) {
                            _ = try await connection.query("SELECT 1", logger: logger).collect()
                        }
                        cache.confirm()
                        try await Task.sleep(for: heartbeat)
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    /// The notifications stopped: the connection is gone.
    struct ListenEnded: Error {}

    private func configuration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch settings.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = [("application_name", Self.applicationName)]
        return configuration
    }
}
