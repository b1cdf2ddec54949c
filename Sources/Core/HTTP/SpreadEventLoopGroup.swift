import Dispatch
import NIOCore
import NIOPosix

/// The process's event loops, handed out strictly in turn. `MultiThreadedEventLoopGroup.any()` keeps a
/// caller on the loop it is already running on; the PostgreSQL pool opens its connections with `any()`,
/// so from a service whose tasks run on the loops themselves every connection would land on one loop —
/// and every request with it, since a task carries on where its query was answered. Opening the pool's
/// connections through this group spreads them over all the loops, and the work follows. (The HTTP
/// client keeps `any()`: a provider call then goes out on the loop the request is already on.)
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
