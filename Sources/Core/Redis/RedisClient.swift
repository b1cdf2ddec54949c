import Crypto
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Tracing

/// A Redis client on the studio's event loops. Ordinary commands share a few pipelined connections
/// (any number in flight on each, no thread hop per call); blocking commands (`XREADGROUP … BLOCK`,
/// `BLPOP`…) get a connection of their own for as long as they wait. A connection broken by a Redis
/// restart is replaced on the next call.
public final class RedisClient: Sendable {
    public let settings: RedisSettings
    private let eventLoopGroup: any EventLoopGroup
    private let shared: [SharedConnection]
    private let nextShared = Atomic<Int>(0)
    private let exclusive: Mutex<ExclusivePool>
    private let commandTimeout: Duration
    private let connectTimeout: Duration
    private let logger: Logger

    /// `poolSize`: how many pipelined connections ordinary commands are spread over (at least one per
    /// event loop), and how many idle connections are kept for blocking commands.
    public init(
        settings: RedisSettings, poolSize: Int = 2, commandTimeout: Duration = .seconds(10),
        connectTimeout: Duration = .seconds(2),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) {
        self.settings = settings
        self.commandTimeout = commandTimeout
        self.connectTimeout = connectTimeout
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        // One shared connection per event loop at least, each made on its own loop, so a call from a
        // task running on a loop (the gateway's tasks all do) is written and answered on that loop.
        let loops = Array(eventLoopGroup.makeIterator())
        self.shared = (0..<max(poolSize, loops.count, 1)).map { index in
            SharedConnection(eventLoop: loops.isEmpty ? eventLoopGroup.next() : loops[index % loops.count])
        }
        self.exclusive = Mutex(ExclusivePool(capacity: max(poolSize, 1)))
    }

    /// `settings.keyPrefix + name`: every key the studio writes goes through here.
    public func key(_ name: String) -> String { settings.keyPrefix + name }

    /// Sends one command; an error reply is thrown as `RedisError.server`.
    @discardableResult
    public func send(_ arguments: [String]) async throws -> RedisValue {
        let command = arguments.first?.lowercased() ?? ""
        return try await Telemetry.span("redis \(command)", kind: .client) { span in
            span?.attributes["db.system"] = "redis"
            span?.attributes["db.operation.name"] = command
            let reply =
                try await Self.isBlocking(arguments)
                ? withExclusiveConnection { try await $0.send(arguments) }
                : withSharedConnection { try await $0.send(arguments) }
            if case .error(let message) = reply {
                span?.setStatus(.init(code: .error))
                throw RedisError.server(message)
            }
            return reply
        }
    }

    @discardableResult
    public func send(_ arguments: String...) async throws -> RedisValue {
        try await send(arguments)
    }

    /// Sends all commands in one round trip; error replies stay in the result, in place.
    public func pipeline(_ commands: [[String]]) async throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        return try await Telemetry.span("redis pipeline", kind: .client) { span in
            span?.attributes["db.system"] = "redis"
            span?.attributes["db.operation.batch.size"] = commands.count
            return try await withSharedConnection { try await $0.pipeline(commands) }
        }
    }

    /// Runs a Lua script by its SHA-1 (EVALSHA), loading it with EVAL the first time Redis lacks it.
    @discardableResult
    public func eval(_ script: RedisScript, keys: [String], arguments: [String] = []) async throws -> RedisValue {
        let tail = [String(keys.count)] + keys + arguments
        do {
            return try await send(["EVALSHA", script.sha1] + tail)
        } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {
            return try await send(["EVAL", script.source] + tail)
        }
    }

    /// Closes every connection; later calls throw `RedisError.closed`.
    public func shutdown() async {
        for connection in shared { connection.close() }
        let idle = exclusive.withLock { pool in
            pool.closed = true
            defer { pool.idle.removeAll() }
            return pool.idle
        }
        for connection in idle { connection.close() }
    }

    /// Commands that hold their connection until something arrives.
    static func isBlocking(_ arguments: [String]) -> Bool {
        guard let name = arguments.first?.uppercased() else { return false }
        switch name {
        case "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "WAIT", "WAITAOF":
            return true
        case "XREAD", "XREADGROUP":
            return arguments.contains { $0.uppercased() == "BLOCK" }
        default:
            return false
        }
    }

    /// Runs `body` on one of the pipelined connections (round robin), connecting it when needed. A
    /// connection that was already open and turns out broken is replaced and the call tried once more.
    private func withSharedConnection<T: Sendable>(_ body: (RedisConnection) async throws -> T) async throws -> T {
        let slot: SharedConnection
        if let current = MultiThreadedEventLoopGroup.currentEventLoop,
            let local = shared.first(where: { $0.eventLoop === current })
        {
            slot = local
        } else {
            slot = shared[(nextShared.wrappingAdd(1, ordering: .relaxed).oldValue & Int.max) % shared.count]
        }
        var retried = false
        while true {
            let (connection, reused) = try await slot.connection {
                try await self.connect(on: slot.eventLoop)
            }
            do {
                return try await body(connection)
            } catch let timedOut as RedisCommandHandler.TimedOut {
                slot.forget(connection)
                throw timedOut.redisError
            } catch RedisError.connection(let message) {
                // The connection was found broken (a Redis restart closes idle connections), so the
                // command never ran: one more try on a new connection.
                slot.forget(connection)
                guard reused, !retried else { throw RedisError.connection(message) }
                retried = true
            }
        }
    }

    /// Runs `body` on a connection nobody else uses meanwhile, then keeps it for the next blocking call.
    private func withExclusiveConnection<T: Sendable>(_ body: (RedisConnection) async throws -> T) async throws -> T {
        let taken: RedisConnection? = try exclusive.withLock { pool in
            guard !pool.closed else { throw RedisError.closed }
            while let connection = pool.idle.popLast() {
                if connection.isActive { return connection }
            }
            return nil
        }
        let connection: RedisConnection
        if let taken { connection = taken } else { connection = try await connect() }
        do {
            let result = try await body(connection)
            let kept = exclusive.withLock { pool in
                guard !pool.closed, pool.idle.count < pool.capacity else { return false }
                pool.idle.append(connection)
                return true
            }
            if !kept { connection.close() }
            return result
        } catch let timedOut as RedisCommandHandler.TimedOut {
            connection.close()
            throw timedOut.redisError
        } catch {
            connection.close()
            throw error
        }
    }

    private func connect(on eventLoop: (any EventLoop)? = nil) async throws -> RedisConnection {
        try await RedisConnection.connect(
            settings: settings, on: eventLoop ?? eventLoopGroup.next(), connectTimeout: connectTimeout,
            commandTimeout: commandTimeout)
    }
}

/// One pipelined connection shared by every caller, made on first use and again after it broke.
/// Callers that arrive while it is being made wait for the same attempt.
final class SharedConnection: Sendable {
    private enum State {
        case none
        case connecting(Task<RedisConnection, any Error>)
        case open(RedisConnection)
        case closed
    }

    private let state = Mutex<State>(.none)
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// The open connection, and whether it was open before this call.
    func connection(_ make: @escaping @Sendable () async throws -> RedisConnection) async throws -> (
        RedisConnection, Bool
    ) {
        enum Step {
            case ready(RedisConnection)
            case wait(Task<RedisConnection, any Error>)
        }
        let step: Step = try state.withLock { state in
            switch state {
            case .open(let connection) where connection.isActive:
                return .ready(connection)
            case .connecting(let task):
                return .wait(task)
            case .closed:
                throw RedisError.closed
            case .none, .open:
                let task = Task { try await make() }
                state = .connecting(task)
                return .wait(task)
            }
        }
        switch step {
        case .ready(let connection):
            return (connection, true)
        case .wait(let task):
            let made: RedisConnection
            do {
                made = try await task.value
            } catch {
                state.withLock { state in
                    if case .connecting(let current) = state, current == task { state = .none }
                }
                throw error
            }
            let shutDown = state.withLock { state -> Bool in
                switch state {
                case .closed: return true
                case .connecting(let current) where current == task: state = .open(made)
                default: break
                }
                return false
            }
            if shutDown {
                made.close()
                throw RedisError.closed
            }
            return (made, false)
        }
    }

    func forget(_ connection: RedisConnection) {
        connection.close()
        state.withLock { state in
            if case .open(let current) = state, current === connection { state = .none }
        }
    }

    func close() {
        let open: RedisConnection? = state.withLock { state in
            defer { state = .closed }
            if case .open(let connection) = state { return connection }
            return nil
        }
        open?.close()
    }
}

/// Idle connections kept for blocking commands.
struct ExclusivePool {
    var idle: [RedisConnection] = []
    let capacity: Int
    var closed = false

    init(capacity: Int) { self.capacity = capacity }
}

extension RedisClient: Service {
    /// Keeps the pool for the life of the service group and closes it on shutdown.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}

/// A Lua script with its SHA-1, for EVALSHA.
public struct RedisScript: Sendable {
    public let source: String
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).hexString
    }
}
