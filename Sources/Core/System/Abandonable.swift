import NIOConcurrencyHelpers

/// Waits for work that may never end once it is cancelled — third-party code that does not pass
/// cancellation on (postgres-nio's query on a connection being closed under it is one) — without being
/// held by it: the work runs in a task of its own, and the caller gets its result, or an error as soon
/// as `timeout` has passed or the caller is cancelled. The work's task is then cancelled and left to
/// finish on its own.
public enum Abandonable {
    public struct TimedOut: Error, CustomStringConvertible {
        public let after: Duration
        public var description: String { "no answer within \(after)" }
    }

    public static func run<T: Sendable>(
        timeout: Duration? = nil, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let answer = Answer<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                answer.wait(continuation)
                let task = Task {
                    do {
                        answer.give(.success(try await work()))
                    } catch {
                        answer.give(.failure(error))
                    }
                }
                answer.onGiven { task.cancel() }
                if let timeout {
                    let timer = Task {
                        try await Task.sleep(for: timeout)
                        answer.give(.failure(TimedOut(after: timeout)))
                    }
                    answer.onGiven { timer.cancel() }
                }
            }
        } onCancel: {
            answer.give(.failure(CancellationError()))
        }
    }

    /// The first of the work's result, the deadline and the caller's cancellation; given once.
    private final class Answer<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var result: Result<T, any Error>?
            var cleanups: [@Sendable () -> Void] = []
        }

        private let state = NIOLockedValueBox(State())

        func wait(_ continuation: CheckedContinuation<T, any Error>) {
            let early = state.withLockedValue { state -> Result<T, any Error>? in
                if let result = state.result { return result }
                state.continuation = continuation
                return nil
            }
            if let early { continuation.resume(with: early) }
        }

        /// Runs `cleanup` once the answer is given (at once if it already is).
        func onGiven(_ cleanup: @escaping @Sendable () -> Void) {
            let given = state.withLockedValue { state -> Bool in
                if state.result != nil { return true }
                state.cleanups.append(cleanup)
                return false
            }
            if given { cleanup() }
        }

        func give(_ result: Result<T, any Error>) {
            let (continuation, cleanups) = state.withLockedValue {
                state -> (CheckedContinuation<T, any Error>?, [@Sendable () -> Void]) in
                guard state.result == nil else { return (nil, []) }
                state.result = result
                defer {
                    state.continuation = nil
                    state.cleanups = []
                }
                return (state.continuation, state.cleanups)
            }
            continuation?.resume(with: result)
            for cleanup in cleanups { cleanup() }
        }
    }
}
