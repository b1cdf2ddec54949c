import AsyncHTTPClient
import Core
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

typealias AppRequestContext = GatewayRequestContext

/// Wires the gateway: the catalogue, the metered AI routes, and its dependencies. Does no I/O itself.
func buildApplication(
    settings: GatewaySettings, dependencies: StudioDependencies, tokens: SessionTokens, httpClient: HTTPClient,
    providerClient: ProviderClient = .shared, registry: PrometheusCollectorRegistry,
    extraServices: [any Service] = [], logger: Logger
) throws -> some ApplicationProtocol {
    // Signed-in users kept for a few seconds, trusted only while the change listener hears PostgreSQL.
    let sessionCache =
        settings.sessionCacheSeconds > 0
        ? SessionUserCache(lifetime: .seconds(Int64(settings.sessionCacheSeconds))) : nil
    let router = try buildRouter(
        settings: settings, dependencies: dependencies, tokens: tokens, httpClient: httpClient,
        providerClient: providerClient, registry: registry, sessionCache: sessionCache, logger: logger)
    return dependencies.application(
        router: router, name: "gateway", settings: settings.common,
        extraServices: extraServices
            + (sessionCache.map { [UserChangeListener(settings: settings.database, cache: $0, logger: logger)] } ?? []),
        logger: logger)
}

func buildRouter(
    settings: GatewaySettings, dependencies: StudioDependencies, tokens: SessionTokens, httpClient: HTTPClient,
    providerClient: ProviderClient = .shared, registry: PrometheusCollectorRegistry,
    sessionCache: SessionUserCache? = nil, logger: Logger
) throws -> Router<AppRequestContext> {
    // Chat and moderation, the two calls of every chat turn, go through the lean client; images and video
    // through AsyncHTTPClient.
    let providers = chatProviders(settings: settings, client: providerClient)
    let painters = imageProviders(settings: settings, httpClient: httpClient)
    let filmmakers = videoProviders(settings: settings, httpClient: httpClient)
    let catalog = try ModelCatalog.load(
        json: settings.catalogJSON,
        configuredProviders: [.chat: Set(providers.keys), .image: Set(painters.keys), .video: Set(filmmakers.keys)])
    let router = Router(context: AppRequestContext.self)
    router.addStudioMiddleware(telemetry: dependencies.telemetry)
    router.addOperationalRoutes(service: "gateway", checks: dependencies.readinessChecks, registry: registry)
    let v1 = router.group("v1")
    ModelRoutes(catalog: catalog).register(on: v1)
    OpenAPIRoutes().register(on: v1)

    let users = UserRepository(client: dependencies.postgres, logger: logger)
    let conversations = ConversationRepository(client: dependencies.postgres, logger: logger)
    let authenticator = SessionAuthenticator<AppRequestContext>(tokens: tokens, users: users, cache: sessionCache)
    let signedIn = v1.group().add(middleware: authenticator)
    // Every AI route sits behind the same chain: session, then the per-user rate limit.
    let metered = v1.group()
        .add(middleware: authenticator)
        .add(
            middleware: UserRateLimitMiddleware(
                limiter: RateLimiter(redis: dependencies.redis),
                rule: .init(limit: settings.requestsPerMinute, window: .seconds(60))))
    let ledger = QuotaLedger(
        redis: dependencies.redis, usage: UsageRepository(client: dependencies.postgres, logger: logger),
        postgres: dependencies.postgres, warnAt: settings.warnAt, upgradeURL: settings.upgradeURL,
        reservationLifetime: .seconds(Int64(settings.providerTimeout + 60)), logger: logger)
    var moderators: [any Moderator] = [LocalModerator(extraTerms: settings.blockList)]
    if let openAI = settings.openAI {
        moderators.append(
            OpenAIModerator(apiKey: openAI.key, baseURL: openAI.baseURL, client: providerClient, logger: logger))
    }
    let moderator = ModerationChain(moderators: moderators)
    let files = FileRepository(client: dependencies.postgres, logger: logger)
    let storage = settings.storage.areas(
        credentials: AWSCredentialsProvider(environment: settings.source.values),
        links: LocalLinkSigner(secret: settings.jwt.secret, baseURL: settings.baseURL))
    let chat = ChatRoutes(
        catalog: catalog, providers: providers, ledger: ledger,
        moderator: moderator,
        fallbackEnabled: settings.chatFallback, conversations: conversations,
        files: files, texts: FileTextRepository(client: dependencies.postgres, logger: logger), storage: storage)
    chat.register(on: metered)
    OpenAICompatibleRoutes(chat: chat).register(on: metered)
    ImageRoutes(
        catalog: catalog, providers: painters, ledger: ledger, moderator: moderator, files: files, storage: storage,
        linkLifetime: settings.storage.linkLifetime
    ).register(on: metered)
    VideoRoutes(
        catalog: catalog, providers: filmmakers, ledger: ledger, moderator: moderator,
        jobs: JobRepository(client: dependencies.postgres, logger: logger), files: files,
        queue: JobQueue(redis: dependencies.redis), storage: storage, linkLifetime: settings.storage.linkLifetime
    ).register(on: metered, signedIn: signedIn)
    ConversationRoutes(conversations: conversations).register(on: signedIn)
    return router
}
