import AsyncHTTPClient
import NIOCore
import ServiceLifecycle

extension HTTPClient {
    /// A client for calls between our own services: fails fast when the other side is down
    /// instead of retrying the connection until the request's deadline.
    public static func studioInternal(connectTimeout: TimeAmount = .seconds(2)) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = connectTimeout
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The gateway's client for image and video providers (chat and moderation go through
    /// `ProviderClient`). The studio's own spans (`provider …`, `HTTP POST host`) already describe each
    /// call, so AsyncHTTPClient's span of its own is off (with no global tracer it still cost a span and
    /// its attributes per call); and up to 64 connections per provider host, where the default 8 had
    /// requests wait for a connection at a few hundred requests a second.
    public static func studioProviders() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.tracing.tracer = nil
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}

/// Shuts an `HTTPClient` down when the service group stops.
public struct HTTPClientService: Service {
    public let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}

/// Closes a `ProviderClient`'s idle connections when the service group stops.
public struct ProviderClientService: Service {
    public let client: ProviderClient

    public init(client: ProviderClient) {
        self.client = client
    }

    public func run() async throws {
        try? await gracefulShutdown()
        client.shutdown()
    }
}
