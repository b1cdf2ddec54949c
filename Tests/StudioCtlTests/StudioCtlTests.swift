import ArgumentParser
import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import studioctl

/// A request context for the sign-in check alone.
struct ProbeContext: SessionRequestContext {
    var coreContext: CoreRequestContextStorage
    var user: User?
    var cookieSession = false

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

@Suite(.serialized)
struct StudioCtlTests {
    @Test func changesNeedAReasonAndLeaveOneAuditRowNamingTheOperator() async throws {
        try await StudioCtlHarness.run { h in
            let user = try await h.user()
            await #expect(throws: (any Error).self) { try await h.ctl("users", "block", user.id.uuidString) }
            await #expect(throws: (any Error).self) {
                try await h.ctl("users", "block", user.id.uuidString, "--reason", "  ")
            }
            #expect(try await h.audit().isEmpty)
            try await h.ctl("users", "block", user.email, "--reason", "card testing from many accounts")
            let rows = try await h.audit()
            #expect(rows.count == 1)
            #expect(rows.first?.0 == "test-operator" && rows.first?.1 == "users.block")
            #expect(rows.first?.2 == "user:\(user.id.uuidString.lowercased())")
            #expect(rows.first?.3 == "card testing from many accounts")
        }
    }

    @Test func blockingTakesEffectOnTheNextRequestAndUnblockingLetsTheUserIn() async throws {
        try await StudioCtlHarness.run { h in
            let user = try await h.user()
            let tokens = await SessionTokens(secret: TestEnvironment.jwtSecret, lifetime: 600)
            let token = try await tokens.issue(userID: user.id, tokenVersion: user.tokenVersion)
            let router = Router(context: ProbeContext.self)
            router.add(middleware: ErrorMiddleware())
            router.add(
                middleware: SessionAuthenticator(
                    tokens: tokens, users: UserRepository(client: h.postgres, logger: h.logger)))
            router.get("/me") { _, _ in "ok" }
            let headers: HTTPFields = [.authorization: "Bearer \(token)"]
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/me", method: .get, headers: headers) { #expect($0.status == .ok) }
                try await h.ctl("users", "block", user.id.uuidString, "--reason", "abuse report 118")
                try await client.execute(uri: "/me", method: .get, headers: headers) { response in
                    #expect(response.status == .forbidden)
                    let body = String(buffer: response.body)
                    #expect(body.contains("account_blocked") && body.contains("هذا الحساب محظور"), "\(body)")
                }
                let found = try await h.ctl("users", "find", user.email)
                #expect(found.contains("BLOCKED"))
                try await h.ctl("users", "unblock", user.id.uuidString, "--reason", "resolved with the user")
                try await client.execute(uri: "/me", method: .get, headers: headers) { #expect($0.status == .ok) }
            }
            #expect(try await h.audit().map(\.1) == ["users.block", "users.unblock"])
        }
    }

    @Test func showPrintsPlanUsagePaymentsAndJobsAsTableOrJSON() async throws {
        try await StudioCtlHarness.run { h in
            let user = try await h.user(plan: "pro")
            _ = try await JobRepository(client: h.postgres, logger: h.logger).create(
                kind: .docConvert, userID: user.id, payloadJSON: "{}")
            let table = try await h.ctl("users", "show", user.email)
            #expect(table.contains("pro (trialing)") && table.contains("doc_convert") && table.contains("0 / 400000"))
            let json = try await h.ctl("users", "show", user.id.uuidString, "--json")
            let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            #expect((object?["usage"] as? [String: Any])?["plan"] != nil)
            #expect((object?["jobs"] as? [[String: Any]])?.first?["kind"] as? String == "doc_convert")
            await #expect(throws: OpsError.self) { try await h.ctl("users", "show", "nobody@example.jo") }
        }
    }

    @Test func grantingAPlanIsAManualSubscriptionAndRespectsAPaidOne() async throws {
        try await StudioCtlHarness.run { h in
            let user = try await h.user(plan: nil)
            try await h.ctl("plans", "grant", user.email, "creator", "--days", "14", "--reason", "refund for outage")
            let usage = try await UsageRepository(client: h.postgres, logger: h.logger).summary(userID: user.id)
            #expect(usage.plan?.id == "creator" && usage.subscriptionStatus == "active")
            let provider = try await h.scalar(
                "SELECT provider FROM subscriptions WHERE user_id = \(user.id) AND status = 'active'", as: String.self)
            #expect(provider == "manual")
            // A second grant while one is active needs --replace.
            await #expect(throws: OpsError.self) {
                try await h.ctl("plans", "grant", user.email, "pro", "--days", "7", "--reason", "again")
            }
            try await h.ctl(
                "plans", "grant", user.email, "pro", "--days", "7", "--replace", "--reason", "downgrade asked")
            let after = try await UsageRepository(client: h.postgres, logger: h.logger).summary(userID: user.id)
            #expect(after.plan?.id == "pro")
            await #expect(throws: OpsError.self) {
                try await h.ctl("plans", "grant", user.email, "gold", "--days", "7", "--replace", "--reason", "x")
            }
            await #expect(throws: (any Error).self) {
                try await h.ctl("plans", "grant", user.email, "pro", "--days", "0", "--reason", "x")
            }
            #expect(try await h.audit().map(\.1) == ["plans.grant", "plans.grant"])
        }
    }

    @Test func usageCreditRaisesTheLimitWithoutTouchingUsageLogs() async throws {
        try await StudioCtlHarness.run { h in
            let user = try await h.user(plan: "starter")
            let usage = UsageRepository(client: h.postgres, logger: h.logger)
            let before = try await usage.summary(userID: user.id)
            try await h.ctl("usage", "credit", user.email, "videos", "3", "--reason", "failed renders last week")
            let after = try await usage.summary(userID: user.id)
            #expect(after.videos.limit == before.videos.limit + 3 && after.videos.used == 0)
            let logs = try await h.scalar(
                "SELECT count(*)::integer FROM usage_logs WHERE user_id = \(user.id)", as: Int.self)
            #expect(logs == 0)
            let reason = try await h.scalar(
                "SELECT reason FROM addon_credits WHERE user_id = \(user.id) AND addon_id IS NULL", as: String.self)
            #expect(reason == "failed renders last week")
            let noPlan = try await h.user(plan: nil)
            await #expect(throws: OpsError.self) {
                try await h.ctl("usage", "credit", noPlan.email, "tokens", "1000", "--reason", "x")
            }
            await #expect(throws: (any Error).self) {
                try await h.ctl("usage", "credit", user.email, "tokens", "-5", "--reason", "x")
            }
            #expect(try await h.audit().count == 1)
        }
    }

    @Test func aUsersOwnRateLimitIsWhatTheGatewayCountsAgainst() async throws {
        try await StudioCtlHarness.run { h in
            let user = try await h.user()
            let limiter = RateLimiter(redis: h.redis)
            let subject = "ai:user:\(user.id.uuidString.lowercased())"
            let rule = RateLimiter.Rule(limit: 60, window: .seconds(60))
            try await h.ctl("limits", "set", user.email, "--rpm", "2", "--reason", "scraping")
            #expect(try await limiter.hit(subject, rule: rule) == .allowed(remaining: 1, limit: 2))
            #expect(try await limiter.hit(subject, rule: rule) == .allowed(remaining: 0, limit: 2))
            guard case .limited(_, let limit) = try await limiter.hit(subject, rule: rule) else {
                Issue.record("the third request should be refused")
                return
            }
            #expect(limit == 2)
            let shown = try await h.ctl("limits", "show", user.email, "--json")
            let report = try JSONSerialization.jsonObject(with: Data(shown.utf8)) as? [String: Any]
            #expect(report?["rpm_override"] as? Int == 2 && report?["requests_this_minute"] as? Int == 2)
            #expect((report?["meters"] as? [[String: Any]])?.count == 3)
            try await h.ctl("limits", "reset", user.email, "--reason", "resolved")
            #expect(try await limiter.hit(subject, rule: rule) == .allowed(remaining: 57, limit: 60))
            #expect(try await h.audit().map(\.1) == ["limits.set", "limits.reset"])
        }
    }

    @Test func cancelingAVideoJobReleasesItsReservation() async throws {
        try await StudioCtlHarness.run { h in
            let user = try await h.user()
            let counter = h.redis.key("usage:\(user.id.uuidString.lowercased()):1")
            let reservations = counter + ":res:video"
            try await h.redis.send("ZADD", reservations, "9999999999999", "r1:1")
            let jobID = UUID()
            let payload = JobPayloads.VideoGenerate(
                jobID: jobID, userID: user.id, model: "demo-video", provider: "demo", upstream: "demo", prompt: "غروب",
                durationSeconds: 5, aspectRatio: "16:9", operation: nil,
                reservation: .init(
                    kind: "video", amount: 1, member: "r1:1", counterKey: counter, reservationsKey: reservations))
            let json = String(decoding: try JSONEncoder.studio.encode(payload), as: UTF8.self)
            let jobs = JobRepository(client: h.postgres, logger: h.logger)
            _ = try await jobs.create(id: jobID, kind: .videoGenerate, userID: user.id, payloadJSON: json)
            let out = try await h.ctl("jobs", "cancel", jobID.uuidString, "--reason", "stuck at the provider")
            #expect(out.contains("released 1 video"))
            #expect(try await h.redis.send("ZCARD", reservations).int == 0)
            #expect(try await jobs.find(id: jobID)?.status == .canceled)
            // A job that is over cannot be canceled, and a video job is not retried (its reservation is gone).
            await #expect(throws: OpsError.self) {
                try await h.ctl("jobs", "cancel", jobID.uuidString, "--reason", "x")
            }
            await #expect(throws: OpsError.self) { try await h.ctl("jobs", "retry", jobID.uuidString, "--reason", "x") }
            let listed = try await h.ctl("jobs", "list", "--status", "canceled", "--kind", "video_generate")
            #expect(listed.contains(jobID.uuidString.lowercased()))
            #expect(try await h.audit().map(\.1) == ["jobs.cancel"])
        }
    }

    @Test func retryQueuesAFailedJobAgain() async throws {
        try await StudioCtlHarness.run { h in
            let user = try await h.user()
            let jobs = JobRepository(client: h.postgres, logger: h.logger)
            let job = try await jobs.create(kind: .docConvert, userID: user.id, payloadJSON: #"{"file_id":"x"}"#)
            _ = try await jobs.markRunning(id: job.id)
            _ = try await jobs.markFailed(id: job.id, reason: "LibreOffice timed out")
            try await h.ctl("jobs", "retry", job.id.uuidString, "--reason", "LibreOffice restarted")
            #expect(try await jobs.find(id: job.id)?.status == .queued)
            let stats = try await JobQueue(redis: h.redis).stats(.documents)
            #expect(stats.length == 1)
            await #expect(throws: OpsError.self) {
                try await h.ctl("jobs", "retry", job.id.uuidString, "--reason", "x")
            }
        }
    }

    @Test func requeueDeadMovesExactlyTheDeadLettersOfThatKind() async throws {
        try await StudioCtlHarness.run { h in
            // Two dead thumbnails and one dead video edit on the same queue.
            let dead = h.redis.key("queue:\(JobQueueName.media.rawValue):dead")
            for (id, kind) in [("a", JobKind.thumbnail), ("b", .thumbnail), ("c", .videoEdit)] {
                let envelope = JobEnvelope(
                    id: id, kind: kind, payload: "{}", traceparent: nil, attempt: 5, lastError: "boom")
                try await h.redis.send("XADD", dead, "*", "job", try envelope.encoded())
            }
            let out = try await h.ctl("queue", "requeue-dead", "--kind", "thumbnail", "--reason", "ffmpeg fixed")
            #expect(out.hasPrefix("2 dead thumbnail"))
            let stats = try await JobQueue(redis: h.redis).stats(.media)
            #expect(stats.length == 2 && stats.dead == 1)
            let left = try await JobQueue(redis: h.redis).deadLetters(.media)
            #expect(left.map(\.kind) == [.videoEdit])
            let table = try await h.ctl("queue", "stats")
            #expect(table.contains("media"))
            #expect(try await h.audit().count == 1)
        }
    }

    @Test func migrateStatusListsEveryMigrationAsApplied() async throws {
        try await StudioCtlHarness.run { h in
            let out = try await h.ctl("migrate", "status", "--json")
            let rows = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] ?? []
            #expect(rows.count == Migration.all.count)
            #expect(rows.allSatisfy { $0["applied_at"] != nil })
            #expect(try await h.ctl("migrate", "up", "--reason", "release 12").contains("nothing to apply"))
        }
    }

    @Test func secretsCheckSaysWhichReferencesFailWithoutPrintingValues() async throws {
        let name = "studioctl-\(UUID().uuidString.prefix(8))"
        try await TestSecrets.create(name: name, value: "postgres://app:very-secret-pw@db:5432/studio")
        var extra = TestSecrets.environment
        extra["AWS_ENDPOINT_URL"] = try TestEnvironment.awsEndpoint()
        extra["AWS_REGION"] = "eu-central-1"
        extra["DATABASE_URL"] = "aws:secretsmanager:\(name)"
        extra["OPENAI_API_KEY"] = "aws:secretsmanager:missing-\(name)"
        try await StudioCtlHarness.run(extra: extra) { h in
            let output = Output(capturing: true)
            let ops = Ops(
                postgres: h.postgres, redis: h.redis, config: h.config, operatorName: "t", output: output,
                logger: h.logger)
            await #expect(throws: ExitCode.self) {
                try await Ops.$injected.withValue(ops) {
                    var command = try StudioCtl.parseAsRoot(["secrets", "check"]) as! any AsyncParsableCommand
                    try await command.run()
                }
            }
            #expect(output.text.contains("DATABASE_URL") && output.text.contains("ok"))
            #expect(output.text.contains("OPENAI_API_KEY") && output.text.contains("FAILED"))
            #expect(!output.text.contains("very-secret-pw"))
            #expect(output.text.contains("1 of 2 reference(s) resolved"))
        }
    }

    /// A pending Pro payment with its checkout id, as the session endpoint leaves it.
    func pendingPayment(_ h: StudioCtlHarness, user: User, checkout: String) async throws -> PaymentRecord {
        let payments = PaymentRepository(client: h.postgres, logger: h.logger)
        let payment = try await payments.createPending(
            userID: user.id, planID: "pro", addonID: nil, amountFils: 5000, provider: .hyperpay)
        try await h.postgres.query(
            "UPDATE payments SET external_id = \(checkout) WHERE id = \(payment.id)", logger: h.logger)
        return payment
    }

    @Test func reprocessingAPaymentTwiceAppliesItOnce() async throws {
        try await StudioCtlHarness.run { h in
            let user = try await h.user(plan: nil)
            let payment = try await pendingPayment(h, user: user, checkout: "chk-1")
            let notification = PaymentNotification(
                provider: .hyperpay, kind: .payment, merchantReference: payment.id.uuidString, externalID: "chk-1",
                transactionID: "tx-1", amount: Money.decimal(5000), currency: "JOD", resultCode: "000.100.110",
                resultDescription: "Request successfully processed", outcome: .succeeded)
            _ = try await PaymentRepository(client: h.postgres, logger: h.logger).storeEvent(
                provider: .hyperpay, dedupeKey: "tx-1", headers: [:], rawBody: Data("{}".utf8),
                notification: notification, reason: nil)
            let first = try await h.ctl("payments", "reprocess", payment.id.uuidString, "--reason", "webhook job lost")
            #expect(first.contains("activated"))
            let second = try await h.ctl("payments", "reprocess", payment.id.uuidString, "--reason", "again")
            #expect(second.contains("already applied"))
            #expect(
                try await h.scalar("SELECT status FROM payments WHERE id = \(payment.id)", as: String.self) == "paid")
            let subscriptions = try await h.scalar(
                "SELECT count(*)::integer FROM subscriptions WHERE user_id = \(user.id)", as: Int.self)
            let invoices = try await h.scalar(
                "SELECT count(*)::integer FROM invoices WHERE payment_id = \(payment.id)", as: Int.self)
            #expect(subscriptions == 1 && invoices == 1)
            let shown = try await h.ctl("payments", "show", payment.id.uuidString)
            #expect(shown.contains("5.000 JOD") && shown.contains("paid") && shown.contains("webhook"))
            #expect(try await h.audit().map(\.1) == ["payments.reprocess", "payments.reprocess"])
        }
    }

    @Test func reconcileListsWhereHyperPayDisagreesAndAppliesOnlyWhenAsked() async throws {
        let paymentID = Mutex<String>("")
        let router = Router()
        router.get("/v1/checkouts/:id/payment") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let code = id == "chk-paid" ? "000.100.110" : "000.200.000"
            let body = """
                {"id":"tx-\(id)","ndc":"\(id)","merchantTransactionId":"\(paymentID.withLock { $0 })","amount":"5.00",\
                "currency":"JOD","result":{"code":"\(code)","description":"x"}}
                """
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(
            .live
        ) {
            live in
            let extra = [
                "HYPERPAY_API_KEY": "token", "HYPERPAY_ENTITY_ID": "entity",
                "HYPERPAY_BASE_URL": "http://127.0.0.1:\(live.port ?? 0)",
            ]
            try await StudioCtlHarness.run(extra: extra) { h in
                let user = try await h.user(plan: nil)
                let paid = try await pendingPayment(h, user: user, checkout: "chk-paid")
                _ = try await pendingPayment(h, user: user, checkout: "chk-waiting")
                paymentID.withLock { $0 = paid.id.uuidString }
                let listed = try await h.ctl("payments", "reconcile", "--since", "2020-01-01")
                #expect(listed.contains("2 payment(s) checked") && listed.contains("1 difference(s)"))
                #expect(listed.contains(paid.id.uuidString.lowercased()) && listed.contains("pending  paid"))
                #expect(
                    try await h.scalar("SELECT status FROM payments WHERE id = \(paid.id)", as: String.self)
                        == "pending")
                #expect(try await h.audit().isEmpty)
                await #expect(throws: (any Error).self) {
                    try await h.ctl("payments", "reconcile", "--since", "2020-01-01", "--apply")
                }
                try await h.ctl(
                    "payments", "reconcile", "--since", "2020-01-01", "--apply", "--reason", "webhooks down")
                #expect(
                    try await h.scalar("SELECT status FROM payments WHERE id = \(paid.id)", as: String.self) == "paid")
                #expect(try await h.audit().map(\.1) == ["payments.reconcile"])
            }
        }
    }

    @Test func everyStudioctlCommandTheRunbookNamesExists() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let runbook = try String(contentsOf: root.appendingPathComponent("docs/RUNBOOK.md"), encoding: .utf8)
        let commands = runbook.matches(of: /studioctl((?: [a-z][a-z-]*){1,2})/).map { String($0.output.1) }
        #expect(commands.count >= 10, "the runbook should use studioctl for its procedures")
        for command in Set(commands) {
            let words = command.split(separator: " ").map(String.init)
            // Parse the words with --help: ArgumentParser answers help for a real command path, an error otherwise.
            var path: [any ParsableCommand.Type] = [StudioCtl.self]
            for word in words {
                guard let next = path.last!.configuration.subcommands.first(where: { $0._commandName == word }) else {
                    break
                }
                path.append(next)
            }
            #expect(path.count >= 2, "studioctl\(command) is named in the runbook but does not exist")
            if words.count == 2, !path.last!.configuration.subcommands.isEmpty {
                Issue.record("studioctl\(command): \(words[1]) is not a subcommand of \(words[0])")
            }
        }
    }
}
