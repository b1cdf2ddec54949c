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

    func contains(_ text: String) -> Bool {
        let key = SHA256.hash(data: Array(text.utf8))
        return entries.withLock { entries in
            guard let expires = entries[key] else { return false }
            if expires > .now { return true }
            entries[key] = nil
            return false
        }
    }

    func insert(_ texts: [String]) {
        let keys = texts.map { SHA256.hash(data: Array($0.utf8)) }
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
