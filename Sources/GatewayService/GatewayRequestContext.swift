import Core
import Hummingbird

/// The gateway's request context: the signed-in user every AI route needs.
struct GatewayRequestContext: SessionRequestContext {
    var coreContext: CoreRequestContextStorage
    var user: User?
    var cookieSession = false

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
