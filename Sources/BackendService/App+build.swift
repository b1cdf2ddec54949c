import Core
import Foundation
import Hummingbird
import Logging
import Prometheus

typealias AppRequestContext = BackendRequestContext

/// Wires the backend: routes, middleware, and its long-running dependencies. Does no I/O itself.
func buildApplication(
    settings: BackendSettings, dependencies: StudioDependencies, tokens: SessionTokens, mailer: any Mailer,
    registry: PrometheusCollectorRegistry, logger: Logger
) -> some ApplicationProtocol {
    let router = buildRouter(
        settings: settings, dependencies: dependencies, tokens: tokens, mailer: mailer, registry: registry,
        logger: logger)
    return dependencies.application(router: router, name: "backend", settings: settings.common, logger: logger)
}

func buildRouter(
    settings: BackendSettings, dependencies: StudioDependencies, tokens: SessionTokens, mailer: any Mailer,
    registry: PrometheusCollectorRegistry, logger: Logger
) -> Router<AppRequestContext> {
    let postgres = dependencies.postgres
    let users = UserRepository(client: postgres, logger: logger)
    let usage = UsageRepository(client: postgres, logger: logger)
    let router = Router(context: AppRequestContext.self)
    router.addStudioMiddleware(telemetry: dependencies.telemetry)
    router.addOperationalRoutes(service: "backend", checks: dependencies.readinessChecks, registry: registry)

    let v1 = router.group("v1")
    PlanRoutes(plans: PlanRepository(client: postgres, logger: logger)).register(on: v1)
    OpenAPIRoutes().register(on: v1)
    let auth = AuthRoutes(
        settings: settings.auth, links: MagicLinkRepository(client: postgres, logger: logger), users: users,
        usage: usage, tokens: tokens, limiter: RateLimiter(redis: dependencies.redis), mailer: mailer)
    auth.registerPublic(on: v1)
    if settings.common.environment == .local, let outbox = mailer as? OutboxMailer {
        DevMailboxRoutes(outbox: outbox).register(on: v1)
    }

    let storage = settings.storageAreas()
    if case .local = settings.storage.backend {
        BlobRoutes(storage: storage, links: settings.localLinks).register(on: v1)
    }

    let baseURL =
        settings.auth.baseURL.absoluteString.hasSuffix("/")
        ? String(settings.auth.baseURL.absoluteString.dropLast()) : settings.auth.baseURL.absoluteString
    let plans = PlanRepository(client: postgres, logger: logger)
    let paymentRoutes = PaymentRoutes(
        payments: PaymentRepository(client: postgres, logger: logger), plans: plans,
        providers: settings.payments.providers(), defaultProvider: settings.payments.defaultProvider,
        queue: JobQueue(redis: dependencies.redis), limiter: RateLimiter(redis: dependencies.redis),
        sessionRule: settings.payments.sessionRule, baseURL: baseURL,
        callbackBaseURL: settings.payments.callbackBaseURL, logger: logger)
    paymentRoutes.register(public: v1)
    if let fake = settings.payments.fake, let key = fake.webhookKey {
        // Local mode with no HyperPay key: the fake OPPWA server, posting its webhooks back to this process.
        FakeOPPWA(
            accessToken: fake.accessToken, entityID: fake.entityID, webhookKey: key,
            deliver: FakeOPPWA.posting(
                to: "http://127.0.0.1:\(settings.common.port)/v1/payments/webhook/hyperpay", logger: logger)
        ).register(on: router.group(RouterPath(PaymentSettings.fakePath)))
    }

    let signedIn = v1.group().add(middleware: SessionAuthenticator<AppRequestContext>(tokens: tokens, users: users))
    auth.registerSignedIn(on: signedIn)
    UsageRoutes(usage: usage).register(on: signedIn)
    let gateway = GatewayClient(baseURL: settings.documents.gatewayURL, logger: logger)
    let documents = DocumentRoutes(
        files: FileRepository(client: postgres, logger: logger), jobs: JobRepository(client: postgres, logger: logger),
        queue: JobQueue(redis: dependencies.redis), storage: storage, usage: usage, plans: plans,
        invoices: InvoiceRepository(client: postgres, logger: logger), linkLifetime: settings.storage.linkLifetime,
        pdfWait: .seconds(settings.documents.pdfWaitSeconds), gateway: gateway
    )
    documents.register(on: signedIn)
    SlideRoutes(documents: documents, gateway: gateway).register(on: signedIn)
    SummaryRoutes(
        documents: documents, gateway: gateway, texts: FileTextRepository(client: postgres, logger: logger),
        files: FileRepository(client: postgres, logger: logger)
    ).register(on: signedIn)
    JobRoutes(
        jobs: JobRepository(client: postgres, logger: logger), files: FileRepository(client: postgres, logger: logger),
        texts: FileTextRepository(client: postgres, logger: logger), queue: JobQueue(redis: dependencies.redis),
        gate: PlanGate(usage: usage, plans: plans)
    ).register(on: signedIn)
    paymentRoutes.register(signedIn: signedIn)
    SubscriptionRoutes(
        subscriptions: SubscriptionRepository(client: postgres, logger: logger),
        invoices: InvoiceRepository(client: postgres, logger: logger), plans: plans
    ).register(on: signedIn)
    FileRoutes(
        files: FileRepository(client: postgres, logger: logger), storage: storage,
        queue: JobQueue(redis: dependencies.redis), linkLifetime: settings.storage.linkLifetime
    ).register(on: signedIn)
    return router
}

/// SES on AWS, the local outbox folder otherwise.
func makeMailer(settings: BackendSettings, logger: Logger) -> any Mailer {
    switch settings.mail.transport {
    case .outbox:
        return OutboxMailer(directory: settings.mail.outboxDirectory, from: settings.mail.from, logger: logger)
    case .ses:
        return SESMailer(
            region: settings.mail.sesRegion, from: settings.mail.from, endpoint: settings.mail.sesEndpoint,
            credentials: AWSCredentialsProvider(environment: settings.source.values))
    }
}
