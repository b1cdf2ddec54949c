import CoreTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import Core

struct SessionUserCacheTests {
    let logger = Logger(label: "test")

    func user(_ id: UUID = UUID(), version: Int = 1) -> User {
        User(
            id: id, email: "u@example.jo", locale: "ar", digits: "latn", isActive: true, tokenVersion: version,
            createdAt: Date())
    }

    @Test func nothingIsKeptOrServedUntilTheListenerConfirms() {
        let cache = SessionUserCache()
        let someone = user()
        cache.store(someone, readAt: cache.readMark())
        #expect(cache.user(someone.id) == nil)
        cache.confirm()
        #expect(cache.user(someone.id) == nil)
        cache.store(someone, readAt: cache.readMark())
        #expect(cache.user(someone.id) == someone)
        // Losing the listener empties the cache and stops it being used.
        cache.lose()
        #expect(!cache.isLive && cache.user(someone.id) == nil)
        cache.confirm()
        #expect(cache.user(someone.id) == nil)
    }

    @Test func aRowReadBeforeAChangeIsNotKeptAfterIt() {
        let cache = SessionUserCache()
        cache.confirm()
        let someone = user(version: 1)
        let mark = cache.readMark()
        // The row was being read when a change to it was announced: what was read may be the old row.
        cache.evict(someone.id)
        cache.store(someone, readAt: mark)
        #expect(cache.user(someone.id) == nil)
        cache.store(user(someone.id, version: 2), readAt: cache.readMark())
        #expect(cache.user(someone.id)?.tokenVersion == 2)
        cache.evict(someone.id)
        #expect(cache.user(someone.id) == nil)
    }

    @Test func entriesAndConfirmationsExpire() async throws {
        let cache = SessionUserCache(lifetime: .milliseconds(100), confirmationLifetime: .milliseconds(300))
        cache.confirm()
        let someone = user()
        cache.store(someone, readAt: cache.readMark())
        #expect(cache.user(someone.id) == someone)
        try await Task.sleep(for: .milliseconds(150))
        #expect(cache.user(someone.id) == nil)
        cache.store(someone, readAt: cache.readMark())
        try await Task.sleep(for: .milliseconds(200))
        // The entry is fresh but the listener has not confirmed for longer than it may.
        #expect(cache.isLive == false && cache.user(someone.id) == nil)
    }

    @Test func aVerifiedTokenIsRememberedUntilItExpiresAndOnlyThatToken() async throws {
        let tokens = await SessionTokens(secret: String(repeating: "k", count: 40), lifetime: 1)
        let verified = VerifiedTokens()
        let id = UUID()
        let token = try await tokens.issue(userID: id, tokenVersion: 3)
        let claims = try await tokens.verify(token, remembering: verified) { _ in 3 }
        #expect(verified.claims(token) == claims)
        // The version is still compared on every use.
        await #expect(throws: AppError.self) { try await tokens.verify(token, remembering: verified) { _ in 4 } }
        // A changed signature is another string: checked, refused, not remembered.
        let forged = String(token.dropLast(3)) + (token.hasSuffix("AAA") ? "BBB" : "AAA")
        await #expect(throws: AppError.self) { try await tokens.verify(forged, remembering: verified) { _ in 3 } }
        #expect(verified.claims(forged) == nil)
        // Past its expiry the remembered token is gone, and checking it again refuses it.
        #expect(verified.claims(token, now: Date().addingTimeInterval(2)) == nil)
        #expect(verified.claims(token) == nil)
        try await Task.sleep(for: .milliseconds(1100))
        await #expect(throws: AppError.self) { try await tokens.verify(token, remembering: verified) { _ in 3 } }
    }

    @Test func theListenerEvictsChangedUsersAndStopsTrustWhenItsConnectionDies() async throws {
        try await TestDatabase.withFreshDatabase { client, settings in
            let users = UserRepository(client: client, logger: logger)
            let someone = try await users.findOrCreate(email: "cache@example.jo").user
            let other = try await users.findOrCreate(email: "other@example.jo").user
            let cache = SessionUserCache()
            let listener = UserChangeListener(
                settings: settings, cache: cache, logger: logger, heartbeat: .milliseconds(100))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await listener.run() }
                #expect(await eventually(timeout: .seconds(5)) { cache.isLive })
                cache.store(someone, readAt: cache.readMark())
                cache.store(other, readAt: cache.readMark())

                // Signing out everywhere bumps the version: the trigger announces it and the entry goes.
                _ = try await users.bumpTokenVersion(id: someone.id)
                #expect(await eventually(timeout: .seconds(2)) { cache.user(someone.id) == nil })
                #expect(cache.user(other.id) == other)
                // A change written by hand is heard the same way.
                try await client.query("UPDATE users SET is_active = false WHERE id = \(other.id)", logger: logger)
                #expect(await eventually(timeout: .seconds(2)) { cache.user(other.id) == nil })

                // The listener's connection is killed: nothing is trusted until it is back.
                cache.store(someone, readAt: cache.readMark())
                let killed = try await client.query(
                    """
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE application_name = \(UserChangeListener.applicationName) AND datname = current_database()
                    """, logger: logger
                ).collect()
                #expect(killed.count == 1)
                #expect(await eventually(timeout: .seconds(5)) { cache.user(someone.id) == nil })
                // It reconnects by itself (within a second or so; the whole test suite may be running), starting empty.
                #expect(await eventually(timeout: .seconds(15)) { cache.isLive })
                #expect(cache.user(someone.id) == nil)
                group.cancelAll()
            }
        }
    }
}
