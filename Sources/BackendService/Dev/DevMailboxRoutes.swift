import Core
import Foundation
import Hummingbird

/// Local mode only: `GET /v1/dev/outbox` lists the newest sign-in mails with their link and code,
/// so a developer can sign in without a mail server.
struct DevMailboxRoutes {
    let outbox: OutboxMailer

    struct Listing: ResponseEncodable {
        let messages: [OutboxMailer.Entry]
    }

    func register(on group: RouterGroup<BackendRequestContext>) {
        group.get("dev/outbox") { _, _ in Listing(messages: try outbox.recent()) }
    }
}
