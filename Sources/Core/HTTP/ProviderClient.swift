import AsyncHTTPClient
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A request to an AI provider: method, absolute URL, headers and the whole body.
public struct ProviderRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: HTTPHeaders
    public var body: ByteBuffer?

    public init(method: HTTPMethod = .GET, url: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What sends a `ProviderRequest`: `ProviderClient` (a chat turn's calls) or AsyncHTTPClient (images and
/// video, whose calls are few and large).
public protocol ProviderTransport: Sendable {
    func execute(_ request: ProviderRequest, timeout: TimeAmount) async throws -> HTTPClientResponse
}

extension HTTPClient: ProviderTransport {
    public func execute(_ request: ProviderRequest, timeout: TimeAmount) async throws -> HTTPClientResponse {
        var converted = HTTPClientRequest(url: request.url)
        converted.method = request.method
        converted.headers = request.headers
        if let body = request.body { converted.body = .bytes(body) }
        return try await execute(converted, timeout: timeout)
    }
}

public enum ProviderClientError: Error, Equatable, Sendable {
    /// Not an `http://` or `https://` URL with a host.
    case invalidURL(String)
    /// The request's deadline passed before its answer was complete.
    case deadlineExceeded
    /// The connection ended before the answer was complete.
    case connectionClosed
    /// The client has been shut down.
    case shutDown
}

/// The HTTP/1.1 client for the calls on every chat turn: OpenAI's moderation and the chat provider's
/// stream. A chat turn makes two such calls, and AsyncHTTPClient's general machinery (a request state
/// machine, a connection pool manager, the head and the body written and flushed apart) was the largest
/// single cost left on the gateway's event loop. This client keeps one pool of kept-alive connections per
/// host, writes a request's head and body in one flush, and hands the answer back as
/// `HTTPClientResponse`, so the providers read it as they read AsyncHTTPClient's.
///
/// A request runs to a deadline that covers waiting for a connection, connecting, and the whole answer:
/// past it the connection is closed and the answer fails with `deadlineExceeded`. A reader that stops
/// reading (its task cancelled, or the body dropped) closes the connection. A connection goes back to
/// its pool only after a complete answer that allows keep-alive. Requests are not retried: a POST to a
/// provider may have been acted on.
public final class ProviderClient: ProviderTransport {
    /// A process-wide client whose connections live as long as the process (tests and tools).
    public static let shared = ProviderClient()

    public struct Configuration: Sendable {
        /// Open connections per host; requests beyond them wait for one to come free.
        public var connectionsPerHost: Int = 256
        public var connectTimeout: TimeAmount = .seconds(10)
        /// A connection idle longer than this is closed rather than used again (servers drop idle ones).
        public var idleTimeout: TimeAmount = .seconds(50)
        /// Trust for `https://`: the system's roots unless a test adds its own.
        public var tls: TLSConfiguration = .makeClientConfiguration()

        public init() {}
    }

    let configuration: Configuration
    let group: MultiThreadedEventLoopGroup
    private let pools = Mutex<[Endpoint: ConnectionPool]>([:])
    private let sslContext = NIOLockedValueBox<NIOSSLContext?>(nil)
    private let isShutDown = Atomic<Bool>(false)

    public init(configuration: Configuration = .init(), group: MultiThreadedEventLoopGroup = .singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// Sends `request` and returns as soon as the answer's head has arrived; the body streams after it.
    public func execute(_ request: ProviderRequest, timeout: TimeAmount) async throws -> HTTPClientResponse {
        let deadline = NIODeadline.now() + timeout
        let (endpoint, target) = try Endpoint.parse(request.url)
        guard !isShutDown.load(ordering: .relaxed) else { throw ProviderClientError.shutDown }
        let pool = self.pool(for: endpoint)
        let head = requestHead(request, endpoint: endpoint, target: target)
        // A kept-alive connection the server closed just before it was taken: nothing was sent, so the
        // request goes out on another. (Once anything is written it is never sent again.)
        for _ in 0..<3 {
            let connection = try await pool.acquire(deadline: deadline)
            do {
                return try await connection.exchange(head: head, body: request.body, deadline: deadline)
            } catch ProviderConnection.Unsent.closed {
                continue
            }
        }
        throw ProviderClientError.connectionClosed
    }

    /// Closes the idle connections and refuses new requests; answers under way finish.
    public func shutdown() {
        isShutDown.store(true, ordering: .relaxed)
        let all = pools.withLock { pools in
            defer { pools.removeAll() }
            return Array(pools.values)
        }
        for pool in all { pool.close() }
    }

    /// How many connections are open to `url`'s host (tests).
    public func openConnections(to url: String) -> Int {
        guard let endpoint = try? Endpoint.parse(url).0 else { return 0 }
        return pools.withLock { $0[endpoint] }?.openCount ?? 0
    }

    private func pool(for endpoint: Endpoint) -> ConnectionPool {
        pools.withLock { pools in
            if let pool = pools[endpoint] { return pool }
            let pool = ConnectionPool(endpoint: endpoint, client: self)
            pools[endpoint] = pool
            return pool
        }
    }

    private func requestHead(_ request: ProviderRequest, endpoint: Endpoint, target: String) -> HTTPRequestHead {
        var headers = request.headers
        if !headers.contains(name: "host") { headers.add(name: "Host", value: endpoint.hostHeader) }
        headers.remove(name: "content-length")
        headers.remove(name: "transfer-encoding")
        if let body = request.body {
            headers.add(name: "Content-Length", value: String(body.readableBytes))
        } else if request.method == .POST || request.method == .PUT || request.method == .PATCH {
            headers.add(name: "Content-Length", value: "0")
        }
        return HTTPRequestHead(version: .http1_1, method: request.method, uri: target, headers: headers)
    }

    fileprivate func connect(_ endpoint: Endpoint, pool: ConnectionPool, deadline: NIODeadline) async throws
        -> ProviderConnection
    {
        let sslContext = endpoint.tls ? try tlsContext() : nil
        let connectTimeout = min(configuration.connectTimeout, max(deadline - .now(), .milliseconds(1)))
        let bootstrap = ClientBootstrap(group: group.any())
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let handler = try NIOSSLClientHandler(
                            context: sslContext, serverHostname: endpoint.isIPAddress ? nil : endpoint.host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ProviderConnection.Handler())
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: endpoint.host, port: endpoint.port).get()
        } catch let error as ChannelError where error == .connectTimeout(connectTimeout) {
            throw deadline <= .now() ? ProviderClientError.deadlineExceeded : error
        }
        return try await channel.eventLoop.submit {
            let handler = try channel.pipeline.syncOperations.handler(type: ProviderConnection.Handler.self)
            return ProviderConnection(channel: channel, handler: handler, pool: pool)
        }.get()
    }

    private func tlsContext() throws -> NIOSSLContext {
        try sslContext.withLockedValue { context in
            if let context { return context }
            let made = try NIOSSLContext(configuration: configuration.tls)
            context = made
            return made
        }
    }
}

/// Scheme, host and port: what a pooled connection is for.
struct Endpoint: Hashable, Sendable {
    let tls: Bool
    let host: String
    let port: Int

    var isIPAddress: Bool {
        host.contains(":") || host.utf8.allSatisfy { $0 == UInt8(ascii: ".") || (48...57).contains($0) }
    }

    var hostHeader: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return port == (tls ? 443 : 80) ? host : "\(host):\(port)"
    }

    /// Splits an absolute URL into its endpoint and the request target (path and query).
    static func parse(_ url: String) throws -> (Endpoint, String) {
        let tls: Bool
        var rest: Substring
        if url.utf8.starts(with: "https://".utf8) {
            tls = true
            rest = url.dropFirst(8)
        } else if url.utf8.starts(with: "http://".utf8) {
            tls = false
            rest = url.dropFirst(7)
        } else {
            throw ProviderClientError.invalidURL(url)
        }
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<end]
        rest = rest[end...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host: Substring
        var port = tls ? 443 : 80
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw ProviderClientError.invalidURL(url) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.first == ":" {
                guard let value = Int(after.dropFirst()) else { throw ProviderClientError.invalidURL(url) }
                port = value
            } else if !after.isEmpty {
                throw ProviderClientError.invalidURL(url)
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let value = Int(authority[authority.index(after: colon)...]) else {
                throw ProviderClientError.invalidURL(url)
            }
            port = value
        } else {
            host = authority
        }
        guard !host.isEmpty, (1...65535).contains(port) else { throw ProviderClientError.invalidURL(url) }
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        let target = rest.isEmpty ? "/" : rest.first == "?" ? "/" + rest : String(rest)
        return (Endpoint(tls: tls, host: host.lowercased(), port: port), target)
    }
}

/// The connections to one endpoint: the idle ones, how many are open, and who waits for one.
final class ConnectionPool: Sendable {
    let endpoint: Endpoint
    private let client: ProviderClient

    private enum Grant {
        case connection(ProviderConnection)
        /// A connection closed while this waiter waited: it may open one of its own.
        case connect
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Grant, any Error>
    }

    private struct State {
        var idle: [(connection: ProviderConnection, since: NIODeadline)] = []
        var open = 0
        var waiters: [Waiter] = []
        var nextWaiter = 0
        var closed = false
    }

    private let state = Mutex(State())

    init(endpoint: Endpoint, client: ProviderClient) {
        self.endpoint = endpoint
        self.client = client
    }

    var openCount: Int { state.withLock { $0.open } }

    private enum Step {
        case use(ProviderConnection)
        case connect
        case wait
    }

    func acquire(deadline: NIODeadline) async throws -> ProviderConnection {
        let idleTimeout = client.configuration.idleTimeout
        let limit = client.configuration.connectionsPerHost
        var stale: [ProviderConnection] = []
        let step = try state.withLock { state -> Step in
            guard !state.closed else { throw ProviderClientError.shutDown }
            let now = NIODeadline.now()
            while let entry = state.idle.popLast() {
                if entry.connection.isUsable && now - entry.since < idleTimeout { return .use(entry.connection) }
                stale.append(entry.connection)
            }
            if state.open < limit {
                state.open += 1
                return .connect
            }
            return .wait
        }
        // Closing them counts them out of `open` (`closed(_:)`).
        for connection in stale { connection.close() }
        switch step {
        case .use(let connection): return connection
        case .connect: return try await open(deadline: deadline)
        case .wait:
            switch try await wait(deadline: deadline) {
            case .connection(let connection): return connection
            case .connect: return try await open(deadline: deadline)
            }
        }
    }

    private func open(deadline: NIODeadline) async throws -> ProviderConnection {
        do {
            return try await client.connect(endpoint, pool: self, deadline: deadline)
        } catch {
            closedSlot()
            throw error
        }
    }

    private func wait(deadline: NIODeadline) async throws -> Grant {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        let timer = client.group.any().scheduleTask(deadline: deadline) { [self] in
            fail(waiter: id, with: ProviderClientError.deadlineExceeded)
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let admitted = state.withLock { state in
                    guard !state.closed else { return false }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return true
                }
                if !admitted { continuation.resume(throwing: ProviderClientError.shutDown) }
            }
        } onCancel: {
            fail(waiter: id, with: CancellationError())
        }
    }

    private func fail(waiter id: Int, with error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    /// A connection that finished an answer and may be used again.
    func release(_ connection: ProviderConnection) {
        enum Next {
            case handTo(Waiter)
            case keep
            case close
        }
        let next = state.withLock { state -> Next in
            if !state.waiters.isEmpty { return .handTo(state.waiters.removeFirst()) }
            if state.closed { return .close }
            state.idle.append((connection, .now()))
            return .keep
        }
        switch next {
        case .handTo(let waiter): waiter.continuation.resume(returning: .connection(connection))
        case .keep: break
        case .close: connection.close()
        }
    }

    /// A connection of this pool closed (once per connection).
    func closed(_ connection: ProviderConnection) {
        state.withLock { state in
            state.idle.removeAll { $0.connection === connection }
        }
        closedSlot()
    }

    private func closedSlot() {
        let waiter = state.withLock { state -> Waiter? in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.open -= 1
            return nil
        }
        // The slot passes to the first waiter, which opens a connection in it.
        waiter?.continuation.resume(returning: .connect)
    }

    func close() {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            defer {
                state.idle.removeAll()
                state.waiters.removeAll()
            }
            return (state.idle.map(\.connection), state.waiters)
        }
        for connection in idle { connection.close() }
        for waiter in waiters { waiter.continuation.resume(throwing: ProviderClientError.shutDown) }
    }
}

/// One kept-alive connection. Everything that touches its exchange runs on its channel's event loop.
final class ProviderConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<Handler>
    private let pool: ConnectionPool

    /// The connection was closed before the request was written: it may go out on another.
    enum Unsent: Error { case closed }

    init(channel: any Channel, handler: Handler, pool: ConnectionPool) {
        self.channel = channel
        self.handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        self.pool = pool
        handler.connection = self
        // Counted out of the pool once, however it ends.
        channel.closeFuture.whenComplete { [pool] _ in pool.closed(self) }
    }

    var isUsable: Bool { channel.isActive }

    func close() {
        channel.close(promise: nil)
    }

    func released() {
        pool.release(self)
    }

    /// Writes the request in one flush and waits for the answer's head.
    func exchange(head: HTTPRequestHead, body: ByteBuffer?, deadline: NIODeadline) async throws
        -> HTTPClientResponse
    {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: HTTPClientResponse.self)
        if loop.inEventLoop {
            handler.value.start(head: head, body: body, deadline: deadline, promise: promise)
        } else {
            loop.execute { [handler] in
                handler.value.start(head: head, body: body, deadline: deadline, promise: promise)
            }
        }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: { [handler] in
            loop.execute { handler.value.abandon(with: CancellationError()) }
        }
    }

    /// Reads the answers: its head completes the exchange's promise, its body goes to the response's stream.
    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundOut = HTTPClientRequestPart

        private enum State {
            case idle
            case waitingForHead(EventLoopPromise<HTTPClientResponse>)
            case streaming(AsyncThrowingStream<ByteBuffer, any Error>.Continuation, keepAlive: Bool)
            case closed
        }

        private var state = State.idle
        private var context: ChannelHandlerContext?
        private var timeout: Scheduled<Void>?
        /// Which exchange a timer or a reader's cancellation belongs to.
        private var exchangeNumber = 0
        fileprivate weak var connection: ProviderConnection?

        func handlerAdded(context: ChannelHandlerContext) {
            self.context = context
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            self.context = nil
        }

        fileprivate func start(
            head: HTTPRequestHead, body: ByteBuffer?, deadline: NIODeadline,
            promise: EventLoopPromise<HTTPClientResponse>
        ) {
            guard case .idle = state, let context, context.channel.isActive else {
                promise.fail(ProviderConnection.Unsent.closed)
                return
            }
            exchangeNumber += 1
            let number = exchangeNumber
            state = .waitingForHead(promise)
            timeout = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
                guard number == exchangeNumber else { return }
                abandon(with: ProviderClientError.deadlineExceeded)
            }
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if let body, body.readableBytes > 0 {
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch (unwrapInboundIn(data), state) {
            case (.head(let head), .waitingForHead(let promise)):
                let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
                let number = exchangeNumber
                let loop = context.eventLoop
                let bound = NIOLoopBound(self, eventLoop: loop)
                continuation.onTermination = { termination in
                    guard case .cancelled = termination else { return }
                    // The reader stopped before the end: the rest of the answer cannot be skipped.
                    loop.execute {
                        let handler = bound.value
                        if number == handler.exchangeNumber { handler.abandon(with: CancellationError()) }
                    }
                }
                state = .streaming(continuation, keepAlive: head.isKeepAlive)
                promise.succeed(
                    HTTPClientResponse(
                        version: head.version, status: head.status, headers: head.headers, body: .stream(stream)))
            case (.body(let bytes), .streaming(let continuation, _)):
                continuation.yield(bytes)
            case (.end, .streaming(let continuation, let keepAlive)):
                timeout?.cancel()
                timeout = nil
                exchangeNumber += 1
                state = .idle
                // Back in the pool before the reader hears the end, so its next request can take it.
                if keepAlive && context.channel.isActive {
                    connection?.released()
                } else {
                    state = .closed
                    context.close(promise: nil)
                }
                continuation.finish()
            default:
                // An answer nobody asked for: the connection cannot be trusted.
                abandon(with: ProviderClientError.connectionClosed)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            abandon(with: error)
        }

        func channelInactive(context: ChannelHandlerContext) {
            abandon(with: ProviderClientError.connectionClosed)
            context.fireChannelInactive()
        }

        /// Ends the exchange under way with `error` and closes the connection.
        fileprivate func abandon(with error: any Error) {
            timeout?.cancel()
            timeout = nil
            let previous = state
            state = .closed
            exchangeNumber += 1
            switch previous {
            case .waitingForHead(let promise): promise.fail(error)
            case .streaming(let continuation, _): continuation.finish(throwing: error)
            case .idle, .closed: break
            }
            context?.close(promise: nil)
        }
    }
}
