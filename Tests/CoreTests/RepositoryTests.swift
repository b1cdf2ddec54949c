import Core
import CoreTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

struct PlanRepositoryTests {
    let logger = Logger(label: "test")

    @Test func threePlansAreSeededWithTheirPricesAndLimits() async throws {
        try await TestDatabase.withFreshDatabase { client, _ async throws in
            let plans = try await PlanRepository(client: client, logger: logger).activePlans()

            #expect(plans.map(\.id) == ["starter", "pro", "creator"])
            #expect(plans.map(\.priceFils) == [3000, 5000, 7000])
            #expect(plans.map(\.tokenLimit) == [150_000, 400_000, 1_000_000])
            #expect(plans.map(\.imageLimit) == [10, 30, 60])
            #expect(plans.map(\.videoLimit) == [2, 5, 10])
            #expect(plans.map(\.nameAr) == ["المبتدئ", "المحترف", "المبدع"])
            #expect(plans.map(\.features.slides) == [false, true, true])
            #expect(plans.map(\.features.pdfSummary) == [false, true, true])
            #expect(plans.map(\.features.longPrompts) == [false, false, true])
            #expect(plans.map(\.features.advancedEditors) == [false, false, true])
            #expect(try await PlanRepository(client: client, logger: logger).plan(id: "pro")?.name == "Pro")
            #expect(try await PlanRepository(client: client, logger: logger).plan(id: "gold") == nil)
        }
    }

    @Test func addOnsCostOneDinarEach() async throws {
        try await TestDatabase.withFreshDatabase { client, _ async throws in
            let addons = try await PlanRepository(client: client, logger: logger).activeAddons()

            #expect(Set(addons.map(\.id)) == ["tokens_200k", "images_10", "video_1"])
            #expect(addons.allSatisfy { $0.priceFils == 1000 })
            #expect(addons.first { $0.kind == .tokens }?.amount == 200_000)
            #expect(addons.first { $0.kind == .images }?.amount == 10)
            #expect(addons.first { $0.kind == .video }?.amount == 1)
        }
    }

    @Test func moneyIsShownWithThreeDecimals() {
        #expect(Money.jod(fils: 3000) == "3.000")
        #expect(Money.jod(fils: 1050) == "1.050")
        #expect(Money.jod(fils: 7) == "0.007")
    }
}

struct UserRepositoryTests {
    let logger = Logger(label: "test")

    @Test func emailIsMatchedWithoutCaseAndCreatedOnce() async throws {
        try await TestDatabase.withFreshDatabase { client, _ async throws in
            let users = UserRepository(client: client, logger: logger)

            let (first, created) = try await users.findOrCreate(email: " Lina@Example.JO ")
            let (again, createdAgain) = try await users.findOrCreate(email: "lina@example.jo", locale: "en")

            #expect(created && !createdAgain)
            #expect(first.id == again.id)
            #expect(first.email == "lina@example.jo" && first.locale == "ar")
            #expect(try await users.find(email: "LINA@example.jo")?.id == first.id)
            #expect(try await users.find(id: first.id)?.tokenVersion == 1)
        }
    }

    @Test func bumpingTheTokenVersionRevokesEarlierTokens() async throws {
        try await TestDatabase.withFreshDatabase { client, _ async throws in
            let users = UserRepository(client: client, logger: logger)
            let user = try await users.findOrCreate(email: "omar@example.jo").user
            let tokens = await SessionTokens(secret: TestEnvironment.jwtSecret, lifetime: 3600)
            let token = try await tokens.issue(userID: user.id, tokenVersion: user.tokenVersion)
            let lookup: (UUID) async throws -> Int? = { try await users.find(id: $0)?.tokenVersion }

            #expect(try await tokens.verify(token, currentVersion: lookup).userID == user.id)
            #expect(try await users.bumpTokenVersion(id: user.id) == 2)
            await #expect(throws: AppError.self) { try await tokens.verify(token, currentVersion: lookup) }
        }
    }

    @Test func constraintsRejectBadRows() async throws {
        try await TestDatabase.withFreshDatabase { client, _ async throws in
            await #expect(throws: PSQLError.self) {
                try await client.query("INSERT INTO users (email) VALUES ('no-at-sign')", logger: logger)
            }
            let user = try await UserRepository(client: client, logger: logger).findOrCreate(email: "a@b.jo").user
            await #expect(throws: PSQLError.self) {
                try await client.query(
                    "INSERT INTO usage_logs (user_id, kind, amount) VALUES (\(user.id), 'minutes', 1)", logger: logger)
            }
            await #expect(throws: PSQLError.self) {
                try await client.query(
                    """
                    INSERT INTO payments (user_id, plan_id, addon_id, amount_fils, provider)
                    VALUES (\(user.id), 'pro', 'video_1', 5000, 'hyperpay')
                    """, logger: logger)
            }
        }
    }
}

struct JobRepositoryTests {
    let logger = Logger(label: "test")

    @Test func jobMovesQueuedRunningDoneAndNeverBack() async throws {
        try await TestDatabase.withFreshDatabase { client, _ async throws in
            let jobs = JobRepository(client: client, logger: logger)
            let user = try await UserRepository(client: client, logger: logger).findOrCreate(email: "job@example.jo")
                .user

            let job = try await jobs.create(kind: .videoDemo, userID: user.id, payloadJSON: #"{"prompt":"مرحبا"}"#)
            #expect(job.status == .queued && job.attempts == 0)
            #expect(try await jobs.markRunning(id: job.id)?.attempts == 1)
            #expect(try await jobs.markDone(id: job.id))

            #expect(try await jobs.markRunning(id: job.id) == nil)
            #expect(try await jobs.markFailed(id: job.id, reason: "late") == false)
            let final = try #require(try await jobs.find(id: job.id))
            #expect(final.status == .done && final.error == nil)
            #expect(final.payloadJSON.contains("مرحبا"))
        }
    }

    @Test func failedJobKeepsItsReason() async throws {
        try await TestDatabase.withFreshDatabase { client, _ async throws in
            let jobs = JobRepository(client: client, logger: logger)
            let job = try await jobs.create(kind: .noop, userID: nil, payloadJSON: "{}")
            _ = try await jobs.markRunning(id: job.id)
            try await jobs.markRetrying(id: job.id, reason: "provider timeout")
            #expect(try await jobs.find(id: job.id)?.status == .queued)
            #expect(try await jobs.markFailed(id: job.id, reason: "gave up after 5 attempts"))
            #expect(try await jobs.find(id: job.id)?.error == "gave up after 5 attempts")
        }
    }
}
