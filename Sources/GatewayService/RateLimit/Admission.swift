import Synchronization

/// The rate limit's answer for one request. `UserRateLimitMiddleware` counts the request in Redis while
/// the route reads and checks its body; the route waits for the answer (`QuotaLedger.reserve`) before
/// it keeps a reservation or calls a provider, and a route that never asks is held to it by the
/// middleware when it returns.
final class Admission: Sendable {
    private enum State {
        case pending([CheckedContinuation<Void, any Error>])
        case decided(Result<Void, any Error>)
    }

    private let state = Mutex(State.pending([]))

    /// Admitted (`.success`), refused (the 429), or the count failed.
    func decide(_ result: Result<Void, any Error>) {
        let waiting: [CheckedContinuation<Void, any Error>] = state.withLock { state in
            guard case .pending(let waiting) = state else { return [] }
            state = .decided(result)
            return waiting
        }
        for continuation in waiting { continuation.resume(with: result) }
    }

    /// Returns once admitted; throws the refusal.
    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let decided: Result<Void, any Error>? = state.withLock { state in
                switch state {
                case .pending(let waiting):
                    state = .pending(waiting + [continuation])
                    return nil
                case .decided(let result):
                    return result
                }
            }
            if let decided { continuation.resume(with: decided) }
        }
    }
}
