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
        if settings.keepConnectionsOpen {
            // No pool timers: postgres-nio starts a keep-alive timer (and, above the minimum, an idle
            // timer) every time a connection goes back to the pool, as a sleeping task. A cancelled sleep
            // keeps its memory until its deadline, so at 1,000 requests/s those timers alone held about
            // 100 MB of the gateway's memory. The pool instead opens all its connections and keeps them;
            // one that the server or the network closes is replaced.
            configuration.options.minimumConnections = maximumConnections
            configuration.options.keepAliveBehavior = nil
        }
        self.init(
            configuration: configuration, eventLoopGroup: SpreadEventLoopGroup.singleton, backgroundLogger: logger)
    }
}
