import Core
import Hummingbird
import NIOCore

/// The backend's request context: who is signed in, and how.
struct BackendRequestContext: SessionRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    var user: User?
    /// True when the session came from the cookie (so CSRF protection applies), false for a bearer token.
    var cookieSession = false

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's address: the entry the load balancer appended to `X-Forwarded-For` (the last
    /// one, which a client cannot forge), else the peer of the connection.
    func clientIP(_ request: Request) -> String {
        if let forwarded = request.headers[.init("X-Forwarded-For")!],
            let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        {
            return last
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }
}
