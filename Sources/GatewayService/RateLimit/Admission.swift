import Core
import Synchronization

/// The rate limit's answer for one request. Every AI route reserves quota in Redis before it calls a
/// provider, so the request is counted in that same Redis call: the route `claim`s the count and runs it
/// inside its reservation script (one round trip instead of two). A route that returns without claiming
/// it (a body refused with 400 before any reservation) is counted by `UserRateLimitMiddleware` afterwards,
/// so every request is counted once. Whoever counts it `decide`s; the others wait for that answer.
final class Admission: Sendable {
    private enum State {
        /// Not counted yet: the first to `claim` counts it.
        case unclaimed(RateLimiter.Count, [CheckedContinuation<Result<RateLimiter.Decision, any Error>, Never>])
        case counting([CheckedContinuation<Result<RateLimiter.Decision, any Error>, Never>])
        case decided(Result<RateLimiter.Decision, any Error>)
    }

    private let state: Mutex<State>
    private let limiter: RateLimiter

    /// Counted by whoever claims `count` first.
    init(counting count: RateLimiter.Count, limiter: RateLimiter) {
        state = Mutex(.unclaimed(count, []))
        self.limiter = limiter
    }

    /// The count to run, now that the caller has taken it on; nil when someone else has. Whoever claims
    /// it must `decide`, whatever happens.
    func claim() -> RateLimiter.Count? {
        state.withLock { state in
            guard case .unclaimed(let count, let waiting) = state else { return nil }
            state = .counting(waiting)
            return count
        }
    }

    /// Counts the request with its own Redis call, if nobody has claimed it.
    func countIfUnclaimed() async {
        guard let pending = claim() else { return }
        await count(pending)
    }

    /// Runs a claimed count on its own (the caller could not fold it into another call).
    func count(_ count: RateLimiter.Count) async {
        decide(await Result { try await limiter.hit(count) })
    }

    /// The count's answer, or the error that stopped it; only the first answer counts.
    func decide(_ result: Result<RateLimiter.Decision, any Error>) {
        let waiting: [CheckedContinuation<Result<RateLimiter.Decision, any Error>, Never>] = state.withLock { state in
            let waiting: [CheckedContinuation<Result<RateLimiter.Decision, any Error>, Never>]
            switch state {
            case .unclaimed(_, let list), .counting(let list): waiting = list
            case .decided: return []
            }
            state = .decided(result)
            return waiting
        }
        for continuation in waiting { continuation.resume(returning: result) }
    }

    /// The decision, once someone has counted the request (counting it here if nobody will).
    func decision() async -> Result<RateLimiter.Decision, any Error> {
        await countIfUnclaimed()
        return await withCheckedContinuation { continuation in
            let decided: Result<RateLimiter.Decision, any Error>? = state.withLock { state in
                switch state {
                case .unclaimed(let count, let waiting):
                    state = .unclaimed(count, waiting + [continuation])
                    return nil
                case .counting(let waiting):
                    state = .counting(waiting + [continuation])
                    return nil
                case .decided(let result):
                    return result
                }
            }
            if let decided { continuation.resume(returning: decided) }
        }
    }

    /// Returns once admitted; throws the 429 when refused, or the error that stopped the count.
    func wait() async throws {
        switch await decision() {
        case .success(.allowed): return
        case .success(.limited(let retryAfter, let limit)):
            throw UserRateLimitMiddleware.refusal(retryAfter: retryAfter, limit: limit)
        case .failure(let error): throw error
        }
    }
}
