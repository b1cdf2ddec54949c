import Core
import Hummingbird

/// The gateway's request context: the signed-in user every AI route needs.
struct GatewayRequestContext: SessionRequestContext {
    var coreContext: CoreRequestContextStorage
    var user: User?
    var cookieSession = false
    /// The rate limit's answer, being counted while the route checks the request (`UserRateLimitMiddleware`).
    var admission: Admission?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
