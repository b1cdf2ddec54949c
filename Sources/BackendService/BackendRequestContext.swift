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

    /// The client's address: the entry the outermost trusted proxy appended to `X-Forwarded-For` —
    /// `hops` from the end (1: the load balancer's; 2: CloudFront's, in front of it), which a client
    /// cannot forge — else the peer of the connection.
    func clientIP(_ request: Request, hops: Int = 1) -> String {
        Self.clientIP(
            forwardedFor: request.headers[.init("X-Forwarded-For")!], peer: remoteAddress?.ipAddress, hops: hops)
    }

    static func clientIP(forwardedFor: String?, peer: String?, hops: Int) -> String {
        let entries = (forwardedFor ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !entries.isEmpty else { return peer ?? "unknown" }
        // Fewer entries than trusted proxies: the request skipped one; the first entry is the best there is.
        return entries[max(entries.count - hops, 0)]
    }
}
