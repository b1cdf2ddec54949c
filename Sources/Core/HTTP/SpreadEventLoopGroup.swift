import AsyncHTTPClient
import Dispatch
import Logging
import NIOCore
import NIOPosix

/// The process's event loops, handed out strictly in turn. `MultiThreadedEventLoopGroup.any()` keeps a
/// caller on the loop it is already running on; the PostgreSQL pool and the HTTP client open their
/// connections with `any()`, so from a service whose tasks run on the loops themselves every connection
/// would land on one loop — and every request with it. Opening connections through this group spreads
/// them over all the loops, and the work follows.
public final class SpreadEventLoopGroup: EventLoopGroup, Sendable {
    public static let singleton = SpreadEventLoopGroup(MultiThreadedEventLoopGroup.singleton)

    private let base: MultiThreadedEventLoopGroup

    public init(_ base: MultiThreadedEventLoopGroup) {
        self.base = base
    }

    public func next() -> any EventLoop { base.next() }

    public func any() -> any EventLoop { base.next() }

    public func makeIterator() -> EventLoopIterator { base.makeIterator() }

    @preconcurrency
    public func shutdownGracefully(queue: DispatchQueue, _ callback: @Sendable @escaping ((any Error)?) -> Void) {
        // The singleton loops live as long as the process.
        queue.async { callback(nil) }
    }

    public func _preconditionSafeToSyncShutdown(file: StaticString, line: UInt) {}
}

extension HTTPClient {
    /// `HTTPClient.shared` with its connections spread over the event loops (see `SpreadEventLoopGroup`).
    /// Lives as long as the process, like the shared client.
    public static var spread: HTTPClient { spreadHTTPClient }
}

private let spreadHTTPClient = HTTPClient(
    eventLoopGroup: SpreadEventLoopGroup.singleton, configuration: .singletonConfiguration,
    backgroundActivityLogger: Logger(label: "http-client"))
