import Core
import CoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import GatewayService
@testable import WebService
@testable import WorkerService

/// Spans of the studio's services exported over OTLP/HTTP to a local receiver, as the ADOT collector
/// sidecar would receive them on ECS.
@Suite(.serialized) struct TracingTests {
    /// PostgreSQL, Redis and the tracer of `settings` for `service`.
    static func dependencies(
        _ database: DatabaseSettings, _ redis: RedisSettings, _ settings: CommonSettings, _ service: String,
        _ logger: Logger
    ) throws -> StudioDependencies {
        StudioDependencies(
            database: database, redis: redis,
            telemetry: try Telemetry.make(settings.telemetry, service: service, logger: logger), logger: logger)
    }

    /// A gateway (live on a port), a worker and a web front proxying to the gateway, all tracing to `receiver`.
    static func withStudio(
        receiver: OTLPReceiver, logs: LogCapture,
        _ body:
            @escaping @Sendable (_ web: any TestClientProtocol, _ headers: HTTPFields, _ userID: UUID) async throws
            -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { client, database in
            let shared = [
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                "OTEL_BSP_SCHEDULE_DELAY": "50", "REDIS_KEY_PREFIX": "test:\(UUID().uuidString.lowercased()):",
                "DEMO_WORD_DELAY_MS": "0", "OFFICE_START_AT_BOOT": "false",
            ]
            let source = try TestEnvironment.serviceSource(database: database, extra: shared)
            let gatewaySettings = try GatewaySettings(source)
            let gatewayLogger = logs.logger(service: "gateway", level: .info)
            let tokens = await SessionTokens(secret: gatewaySettings.jwt.secret, lifetime: 3600)
            let gateway = try GatewayService.buildApplication(
                settings: gatewaySettings,
                dependencies: try Self.dependencies(
                    gatewaySettings.database, gatewaySettings.redis, gatewaySettings.common, "gateway", gatewayLogger),
                tokens: tokens, httpClient: .shared, registry: TestMetrics.registry, logger: gatewayLogger)
            let workerSettings = try WorkerSettings(source)
            let workerLogger = logs.logger(service: "worker", level: .info)
            let worker = WorkerService.buildApplication(
                settings: workerSettings,
                dependencies: try Self.dependencies(
                    workerSettings.database, workerSettings.redis, workerSettings.common, "worker", workerLogger),
                registry: TestMetrics.registry, logger: workerLogger)

            let logger = Logger(label: "t")
            let user = try await UserRepository(client: client, logger: logger).findOrCreate(
                email: "traced-\(UUID().uuidString.prefix(8))@example.jo"
            ).user
            try await UsageRepository(client: client, logger: logger).startTrial(
                userID: user.id, planID: "creator", days: 30)
            let token = try await tokens.issue(userID: user.id, tokenVersion: user.tokenVersion)
            let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]

            try await gateway.test(.live) { gatewayClient in
                let port = try #require(gatewayClient.port)
                let webSettings = try WebSettings(
                    ConfigSource(
                        shared.merging([
                            "ENV": "test", "GATEWAY_URL": "http://127.0.0.1:\(port)",
                            "BACKEND_URL": "http://127.0.0.1:\(port)",
                        ]) { _, new in new }))
                let web = try WebService.buildApplication(
                    settings: webSettings, httpClient: .shared, registry: TestMetrics.registry,
                    logger: logs.logger(service: "web", level: .info))
                try await worker.test(.router) { _ in
                    try await web.test(.router) { client in try await body(client, headers, user.id) }
                }
            }
        }
    }

    /// The spans of one trace, by name.
    static func named(_ spans: [OTLPReceiver.ReceivedSpan], _ name: String) -> [OTLPReceiver.ReceivedSpan] {
        spans.filter { $0.name == name }
    }

    @Test func aChatThroughWebAndGatewayAndAVideoJobIntoTheWorkerEachArriveAsOneTrace() async throws {
        let receiver = try OTLPReceiver()
        try await receiver.start()
        let logs = LogCapture()
        let ids = Mutex<(chat: String?, video: String?)>((nil, nil))
        try await Self.withStudio(receiver: receiver, logs: logs) { web, headers, _ in
            let chat = try JSONSerialization.data(withJSONObject: [
                "model": "demo-chat", "stream": true, "messages": [["role": "user", "content": "مرحبا من عمّان"]],
            ])
            try await web.execute(
                uri: "/v1/chat/complete", method: .post, headers: headers, body: ByteBuffer(data: chat)
            ) {
                response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("event: done"))
                let trace = response.headers[HTTPField.Name("traceparent")!].flatMap(TraceContext.init(traceparent:))
                ids.withLock { $0.chat = trace?.traceID }
            }
            let video = try JSONSerialization.data(withJSONObject: [
                "model": "demo-video", "prompt": "غروب فوق البتراء", "duration_s": 4,
            ])
            var jobID = ""
            try await web.execute(
                uri: "/v1/video/generate", method: .post, headers: headers, body: ByteBuffer(data: video)
            ) {
                response in
                #expect(response.status == .accepted)
                let object = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                jobID = object?["job_id"] as? String ?? ""
                ids.withLock {
                    $0.video =
                        response.headers[HTTPField.Name("traceparent")!].flatMap(TraceContext.init(traceparent:))?
                        .traceID
                }
            }
            let finished = try await eventually(timeout: .seconds(60)) {
                var status = ""
                try await web.execute(uri: "/v1/video/jobs/\(jobID)", method: .get, headers: headers) { response in
                    let object = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    status = object?["status"] as? String ?? ""
                }
                return status == "done"
            }
            #expect(finished)
        }
        let (chatTrace, videoTrace) = ids.withLock { ($0.chat, $0.video) }
        let chatID = try #require(chatTrace)
        let videoID = try #require(videoTrace)
        #expect(chatID != videoID)

        // The batch processors send within 50 ms; shutting the services down flushed the rest.
        let arrived = try await eventually(timeout: .seconds(10)) {
            let spans = receiver.spans
            return spans.contains { $0.traceID == chatID && $0.name == "quota settle" }
                && spans.contains { $0.traceID == videoID && $0.name == "job video_demo" }
        }
        #expect(arrived, "\(receiver.spans)")
        let chat = receiver.spans.filter { $0.traceID == chatID }
        let byID = Dictionary(chat.map { ($0.spanID, $0) }, uniquingKeysWith: { first, _ in first })
        func parent(of span: OTLPReceiver.ReceivedSpan) -> OTLPReceiver.ReceivedSpan? {
            span.parentSpanID.flatMap { byID[$0] }
        }

        // web's server span → its proxy call → the gateway's server span → the gateway's steps.
        let webServer = try #require(Self.named(chat, "HTTP POST").first { $0.service == "ai-studio-web" })
        #expect(webServer.parentSpanID == nil && webServer.kind == 2)
        let proxy = try #require(Self.named(chat, "proxy POST /v1/chat/complete").first)
        #expect(proxy.service == "ai-studio-web" && proxy.kind == 3 && proxy.parentSpanID == webServer.spanID)
        let gatewayServer = try #require(Self.named(chat, "HTTP POST /v1/chat/complete").first)
        #expect(gatewayServer.service == "ai-studio-gateway" && gatewayServer.parentSpanID == proxy.spanID)
        #expect(gatewayServer.attributes["http.response.status_code"] == "200")
        #expect(gatewayServer.attributes["http.route"] == "/v1/chat/complete")
        for step in ["auth", "rate limit", "moderation", "quota reserve", "provider demo chat", "quota settle"] {
            let span = Self.named(chat, step).first
            #expect(span?.parentSpanID == gatewayServer.spanID, "\(step): \(chat)")
        }
        let provider = try #require(Self.named(chat, "provider demo chat").first)
        #expect(provider.kind == 3 && provider.attributes["gen_ai.request.model"] == "demo")
        #expect(provider.events.contains("first token"))
        #expect(Double(provider.attributes["gen_ai.response.time_to_first_token_ms"] ?? "") != nil)
        // Below the steps: Postgres and Redis calls.
        let settle = try #require(Self.named(chat, "quota settle").first)
        let insert = chat.first { $0.name == "pg query" && $0.attributes["db.query.summary"] == "INSERT usage_logs" }
        #expect(insert?.parentSpanID == settle.spanID)
        #expect(chat.contains { $0.name == "redis evalsha" && $0.parentSpanID == settle.spanID })
        let reserve = try #require(Self.named(chat, "quota reserve").first)
        #expect(chat.contains { $0.name == "redis evalsha" && $0.parentSpanID == reserve.spanID })
        let auth = try #require(Self.named(chat, "auth").first)
        #expect(chat.contains { $0.name == "pg query" && $0.parentSpanID == auth.spanID })
        #expect(chat.allSatisfy { $0.parentSpanID == nil || byID[$0.parentSpanID!] != nil }, "one tree: \(chat)")

        // The video: the gateway's request, then the worker's job as a child of it.
        let video = receiver.spans.filter { $0.traceID == videoID }
        let videoServer = try #require(Self.named(video, "HTTP POST /v1/video/generate").first)
        let job = try #require(Self.named(video, "job video_demo").first)
        #expect(job.service == "ai-studio-worker" && job.kind == 5)
        #expect(job.attributes["job.kind"] == "video_demo" && job.attributes["job.outcome"] == "done")
        let videoIDs = Set(video.map(\.spanID))
        #expect(job.parentSpanID.map(videoIDs.contains) == true, "\(video)")
        #expect(video.contains { $0.spanID == job.parentSpanID && $0.service == "ai-studio-gateway" })
        _ = videoServer

        // The log lines of those requests carry the same trace ids.
        let lines = logs.objects
        #expect(lines.contains { $0["trace_id"] as? String == chatID && $0["service"] as? String == "gateway" })
        #expect(lines.contains { $0["trace_id"] as? String == chatID && $0["service"] as? String == "web" })
        #expect(lines.contains { $0["trace_id"] as? String == videoID && $0["service"] as? String == "worker" })
        await receiver.stop()
    }

    @Test func withTheCollectorDownRequestsStillAnswerAndDroppedSpansAreCounted() async throws {
        let receiver = try OTLPReceiver()  // never started: nothing listens on its port
        let logs = LogCapture()
        var settings = TelemetrySettings(endpoint: receiver.endpoint, json: true, scheduleDelay: .milliseconds(20))
        settings.maxQueueSize = 4
        let telemetry = try Telemetry.make(settings, service: "gateway", logger: logs.logger(level: .warning))
        let router = Router()
        router.addStudioMiddleware(telemetry: telemetry)
        router.get("ping") { _, _ in "pong" }
        let app = Application(router: router, services: [telemetry.service!])
        try await app.test(.router) { client in
            for _ in 0..<40 {
                try await client.execute(uri: "/ping", method: .get) { response in
                    #expect(response.status == .ok && String(buffer: response.body) == "pong")
                    #expect(response.headers[HTTPField.Name("traceparent")!] != nil)
                }
            }
            let counted = try await eventually(timeout: .seconds(20)) { telemetry.dropped.value >= 36 }
            #expect(counted, "dropped \(telemetry.dropped.value)")
        }
    }
}
