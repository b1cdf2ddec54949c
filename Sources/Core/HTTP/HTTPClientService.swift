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
