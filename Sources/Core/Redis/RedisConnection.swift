import NIOCore
import NIOPosix

/// One connection to Redis on an event loop. Commands are pipelined: any number may be in flight,
/// and replies come back in the order the commands were written (RESP has no other correlation).
final class RedisConnection: Sendable {
    let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Connects, then authenticates and selects the database when the settings ask for it.
    static func connect(
        settings: RedisSettings, on eventLoop: any EventLoop, connectTimeout: Duration, commandTimeout: Duration
    ) async throws -> RedisConnection {
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(.nanoseconds(Int64(connectTimeout.nanoseconds)))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            ByteToMessageHandler(RESPDecoder()),
                            RedisCommandHandler(timeout: .nanoseconds(Int64(commandTimeout.nanoseconds))),
                        ])
                    }
                }
                .connect(host: settings.host, port: settings.port).get()
        } catch {
            throw RedisError.connection("cannot connect to \(settings.host):\(settings.port): \(error)")
        }
        let connection = RedisConnection(channel: channel)
        do {
            if let password = settings.password {
                try expectOK(try await connection.send(["AUTH", password]))
            }
            if settings.database != 0 {
                try expectOK(try await connection.send(["SELECT", String(settings.database)]))
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    var isActive: Bool { channel.isActive }

    /// Sends one command and waits for its reply (an error reply is returned, not thrown).
    func send(_ arguments: [String]) async throws -> RedisValue {
        var buffer = channel.allocator.buffer(capacity: 64)
        RESP.write(arguments, into: &buffer)
        let reply = channel.eventLoop.makePromise(of: RedisValue.self)
        write(RedisCommandHandler.Outgoing(bytes: buffer, replies: [reply]))
        return try await reply.futureResult.get()
    }

    /// Writes every command in one go, then waits for all the replies, in order.
    func pipeline(_ commands: [[String]]) async throws -> [RedisValue] {
        var buffer = channel.allocator.buffer(capacity: 64 * commands.count)
        for command in commands { RESP.write(command, into: &buffer) }
        let replies = commands.map { _ in channel.eventLoop.makePromise(of: RedisValue.self) }
        write(RedisCommandHandler.Outgoing(bytes: buffer, replies: replies))
        var values: [RedisValue] = []
        values.reserveCapacity(replies.count)
        for reply in replies { values.append(try await reply.futureResult.get()) }
        return values
    }

    func close() {
        channel.close(promise: nil)
    }

    /// A write that never reaches the handler (the channel closed first) fails its replies here;
    /// once the handler has them, it fails them itself if the connection breaks.
    private func write(_ outgoing: RedisCommandHandler.Outgoing) {
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in
            for reply in outgoing.replies { reply.fail(RedisError.connection("write failed: \(error)")) }
        }
        channel.writeAndFlush(outgoing, promise: written)
    }

    private static func expectOK(_ value: RedisValue) throws {
        if case .error(let message) = value { throw RedisError.server(message) }
    }
}

/// Keeps the replies owed, oldest first; fails all of them when the connection breaks, and closes
/// the connection when the oldest has waited longer than the command timeout.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RedisValue
    typealias OutboundIn = Outgoing
    typealias OutboundOut = ByteBuffer

    struct Outgoing {
        let bytes: ByteBuffer
        let replies: [EventLoopPromise<RedisValue>]
    }

    private var owed = CircularBuffer<(reply: EventLoopPromise<RedisValue>, deadline: NIODeadline)>(
        initialCapacity: 16)
    private let timeout: TimeAmount
    private var watchdog: RepeatedTask?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelActive(context: ChannelHandlerContext) {
        let every = TimeAmount.nanoseconds(max(timeout.nanoseconds / 4, 10_000_000))
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        watchdog = context.eventLoop.scheduleRepeatedTask(initialDelay: every, delay: every) { _ in
            let (handler, context) = loopBound.value
            if let oldest = handler.owed.first, oldest.deadline < .now() {
                handler.failAll(TimedOut(milliseconds: handler.timeout.nanoseconds / 1_000_000))
                context.close(promise: nil)
            }
        }
        context.fireChannelActive()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let outgoing = unwrapOutboundIn(data)
        let deadline = NIODeadline.now() + timeout
        for reply in outgoing.replies { owed.append((reply, deadline)) }
        context.write(wrapOutboundOut(outgoing.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        guard let next = owed.popFirst() else {
            // A reply nobody asked for: the stream is out of step, so nothing after it can be trusted.
            context.close(promise: nil)
            return
        }
        next.reply.succeed(value)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(RedisError.connection("\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connection("connection lost"))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        watchdog?.cancel()
        watchdog = nil
        failAll(RedisError.connection("connection closed"))
    }

    /// No reply within the command timeout: Redis may have run the command, so it is never retried.
    struct TimedOut: Error {
        let milliseconds: Int64
        var redisError: RedisError { .connection("no reply within \(milliseconds) ms") }
    }

    private func failAll(_ error: any Error) {
        while let next = owed.popFirst() { next.reply.fail(error) }
    }
}
