import Crypto
import Foundation
import Synchronization

/// Texts OpenAI's moderation has passed, by SHA-256, for an hour. A chat sends its whole history with
/// every turn; without this, every earlier message went to the moderation API again on every turn, so
/// the call grew with the conversation. Only passed texts are kept: a flagged one is checked every time.
final class ApprovedTexts: Sendable {
    private let entries = Mutex<[SHA256.Digest: ContinuousClock.Instant]>([:])
    let lifetime: Duration
    let capacity: Int

    init(lifetime: Duration = .seconds(3600), capacity: Int = 100_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The texts not passed within the last hour, each with its key for `insert`.
    func unapproved(_ texts: [String]) -> [(text: String, key: SHA256.Digest)] {
        let keyed = texts.map { (text: $0, key: SHA256.hash(data: Array($0.utf8))) }
        let now = ContinuousClock.now
        return entries.withLock { entries in
            keyed.filter { entry in
                guard let expires = entries[entry.key] else { return true }
                if expires > now { return false }
                entries[entry.key] = nil
                return true
            }
        }
    }

    func insert(_ keys: [SHA256.Digest]) {
        let expires = ContinuousClock.now + lifetime
        entries.withLock { entries in
            if entries.count + keys.count > capacity {
                let now = ContinuousClock.now
                entries = entries.filter { $0.value > now }
                if entries.count + keys.count > capacity { entries.removeAll(keepingCapacity: true) }
            }
            for key in keys { entries[key] = expires }
        }
    }
}
