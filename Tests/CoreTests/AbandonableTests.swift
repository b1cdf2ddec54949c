import Core
import Foundation
import Synchronization
import Testing

struct AbandonableTests {
    /// Work that ignores cancellation: it ends only when the test lets it go.
    final class Stuck: Sendable {
        private let waiting = Mutex<CheckedContinuation<Void, Never>?>(nil)
        private let sawCancellation = Atomic<Bool>(false)

        var wasCancelled: Bool { sawCancellation.load(ordering: .relaxed) }

        func work() async -> Int {
            await withCheckedContinuation { continuation in waiting.withLock { $0 = continuation } }
            sawCancellation.store(Task.isCancelled, ordering: .relaxed)
            return 0
        }

        func release() async throws {
            for _ in 0..<200 {
                if let continuation = waiting.withLock({ $0.take() }) { return continuation.resume() }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    @Test func theWorksAnswerAndErrorsComeBack() async throws {
        #expect(try await Abandonable.run(timeout: .seconds(5)) { 6 * 7 } == 42)
        await #expect(throws: URLError.self) {
            try await Abandonable.run { () async throws -> Int in throw URLError(.timedOut) }
        }
    }

    @Test func workThatNeverAnswersIsLeftAfterItsTimeout() async throws {
        let stuck = Stuck()
        let started = ContinuousClock.now

        await #expect(throws: Abandonable.TimedOut.self) {
            try await Abandonable.run(timeout: .milliseconds(200)) { await stuck.work() }
        }

        #expect(ContinuousClock.now - started < .seconds(3))
        try await stuck.release()
        try await Task.sleep(for: .milliseconds(50))
        #expect(stuck.wasCancelled, "the abandoned work's task is cancelled")
    }

    @Test func aCancelledCallerIsNotHeldByWorkThatIgnoresCancellation() async throws {
        let stuck = Stuck()
        let caller = Task { try await Abandonable.run { await stuck.work() } }
        try await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now

        caller.cancel()
        let result = await caller.result

        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(throws: CancellationError.self) { try result.get() }
        try await stuck.release()
    }
}
