import Core
import Foundation

/// Everything the backend reads from its environment.
struct BackendSettings: Sendable {
    let common: CommonSettings
    let database: DatabaseSettings
    let redis: RedisSettings
    let jwt: JWTSettings
    let auth: AuthSettings
    let mail: MailSettings
    let storage: StorageSettings
    let payments: PaymentSettings
    let documents: DocumentSettings
    /// Every `aws:secretsmanager:` value already resolved; AWS clients read their credentials here.
    let source: ConfigSource

    init(_ source: ConfigSource) throws {
        common = try CommonSettings(source, defaultPort: 8081)
        database = try DatabaseSettings(source)
        redis = try RedisSettings(source)
        jwt = try JWTSettings(source)
        auth = try AuthSettings(source, environment: common.environment)
        mail = try MailSettings(source, environment: common.environment)
        storage = try StorageSettings(source, environment: common.environment)
        documents = DocumentSettings(
            pdfWaitSeconds: try source.int("CV_PDF_WAIT_SECONDS", default: 10, range: 0...60),
            gatewayURL: source.string("GATEWAY_INTERNAL_URL", default: "http://127.0.0.1:8082"))
        payments = try PaymentSettings(
            source, environment: common.environment, baseURL: auth.baseURL, port: common.port)
        self.source = source
    }

    /// Signs and checks local download links (local storage only).
    var localLinks: LocalLinkSigner { LocalLinkSigner(secret: jwt.secret, baseURL: auth.baseURL) }

    func storageAreas() -> StorageAreas {
        storage.areas(credentials: AWSCredentialsProvider(environment: source.values), links: localLinks)
    }
}

/// `CV_PDF_WAIT_SECONDS`: how long a CV or deck request waits for its PDF before answering with the job (10);
/// `GATEWAY_INTERNAL_URL`: where the backend reaches the gateway for the Slide Maker's outline.
struct DocumentSettings: Sendable {
    let pdfWaitSeconds: Int
    let gatewayURL: String
}
