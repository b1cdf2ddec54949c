import Logging
import NIOSSL
import PostgresNIO

extension PostgresClient {
    /// A pooled client for `settings`; run it as a lifecycle service before using it.
    public convenience init(settings: DatabaseSettings, maximumConnections: Int = 10, logger: Logger) {
        let tls: PostgresClient.Configuration.TLS
        switch settings.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        self.init(
            configuration: configuration, eventLoopGroup: SpreadEventLoopGroup.singleton, backgroundLogger: logger)
    }
}
