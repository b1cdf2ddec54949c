import Crypto
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization
import Tracing

/// A small pool of hiredis connections. Every call runs on the client's own threads, never on an
/// event loop; a connection broken by a Redis restart is replaced on the next call.
public final class RedisClient: Sendable {
    public let settings: RedisSettings
    private let threadPool: NIOThreadPool
    private let slots: [Slot]
    private let free: SlotQueue
    private let commandTimeout: Duration
    private let logger: Logger

    final class Slot: Sendable {
        let connection = Mutex<RedisConnection?>(nil)
    }

    public init(settings: RedisSettings, poolSize: Int = 8, commandTimeout: Duration = .seconds(10), logger: Logger) {
        self.settings = settings
        self.commandTimeout = commandTimeout
        self.logger = logger
        self.slots = (0..<max(poolSize, 1)).map { _ in Slot() }
        self.free = SlotQueue(count: slots.count)
        self.threadPool = NIOThreadPool(numberOfThreads: slots.count)
        threadPool.start()
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
            let reply = try await withSlot { connection in try connection.command(arguments.map { Array($0.utf8) }) }
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
        let encoded = commands.map { $0.map { Array($0.utf8) } }
        return try await Telemetry.span("redis pipeline", kind: .client) { span in
            span?.attributes["db.system"] = "redis"
            span?.attributes["db.operation.batch.size"] = commands.count
            return try await withSlot { connection in try connection.pipeline(encoded) }
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

    /// Closes every connection and stops the client's threads.
    public func shutdown() async {
        for slot in slots { slot.connection.withLock { $0 = nil } }
        try? await threadPool.shutdownGracefully()
    }

    private func withSlot<T: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws -> T) async throws -> T {
        let index = await free.acquire()
        let outcome: Result<T, RedisError>
        do {
            outcome = .success(try await run(body, on: slots[index]))
        } catch let error as RedisError {
            outcome = .failure(error)
        } catch {
            outcome = .failure(.closed)
        }
        free.release(index)
        return try outcome.get()
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws -> T, on slot: Slot) async throws
        -> T
    {
        let settings = self.settings
        let timeout = commandTimeout
        return try await threadPool.runIfActive {
            try slot.connection.withLock { connection -> T in
                var retried = false
                while true {
                    let reused = connection != nil
                    if connection == nil {
                        connection = try RedisConnection(
                            settings: settings, connectTimeout: .seconds(2), commandTimeout: timeout)
                    }
                    do {
                        return try body(connection!)
                    } catch RedisError.connection(let message) {
                        connection = nil
                        // A pooled connection may have died with a Redis restart: try once on a fresh one.
                        guard reused, !retried else { throw RedisError.connection(message) }
                        retried = true
                    }
                }
            }
        }
    }
}

extension RedisClient: Service {
    /// Keeps the pool for the life of the service group and closes it on shutdown.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}

/// Hands out pool slots in order of request. A lock, not an actor: taking a free slot must not
/// cost a hop to another executor on every Redis call.
final class SlotQueue: Sendable {
    private struct State {
        var free: [Int]
        var waiters: [CheckedContinuation<Int, Never>] = []
    }

    private let state: Mutex<State>

    init(count: Int) { state = Mutex(State(free: Array((0..<count).reversed()))) }

    func acquire() async -> Int {
        if let index = state.withLock({ $0.free.popLast() }) { return index }
        return await withCheckedContinuation { continuation in
            let ready: Int? = state.withLock { state in
                if let index = state.free.popLast() { return index }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    func release(_ index: Int) {
        let waiter: CheckedContinuation<Int, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.free.append(index)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: index)
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
