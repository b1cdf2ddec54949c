import Foundation
import Synchronization
import Testing

@testable import GatewayService

struct WalletCacheTests {
    let wallet = QuotaLedger.Wallet(
        periodStart: Date(), periodEnd: Date().addingTimeInterval(86_400), limits: ["tokens": 150_000])

    @Test func oneReadServesEveryRequestWaitingForTheSameUser() async throws {
        let cache = WalletCache()
        let reads = Reads()
        let user = UUID()
        let wallet = wallet
        let answers = try await withThrowingTaskGroup(of: QuotaLedger.Wallet?.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await cache.load(user) {
                        reads.count.add(1, ordering: .relaxed)
                        try await Task.sleep(for: .milliseconds(100))
                        return wallet
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reads.count.load(ordering: .relaxed) == 1)
        #expect(answers.count == 20 && answers.allSatisfy { $0?.limits == ["tokens": 150_000] })
        #expect(cache.get(user)?.limits == ["tokens": 150_000])
        // Another user is read on its own.
        _ = try await cache.load(UUID()) {
            reads.count.add(1, ordering: .relaxed)
            return nil
        }
        #expect(reads.count.load(ordering: .relaxed) == 2)
    }

    @Test func aFailedReadIsNotKeptAndTheNextRequestReadsAgain() async throws {
        struct Down: Error {}
        let cache = WalletCache()
        let user = UUID()
        await #expect(throws: Down.self) { try await cache.load(user) { throw Down() } }
        #expect(cache.get(user) == nil)
        let wallet = wallet
        #expect(try await cache.load(user) { wallet }?.limits == ["tokens": 150_000])
    }
}

/// How many times a wallet was read.
final class Reads: Sendable {
    let count = Atomic<Int>(0)
}
