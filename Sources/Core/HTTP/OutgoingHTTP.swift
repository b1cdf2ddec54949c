import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Tracing

/// The one helper for calls to other services: forwards the current trace as `traceparent`
/// and bounds every call with a timeout.
public struct OutgoingHTTP: Sendable {
    public let client: HTTPClient
    public let defaultTimeout: TimeAmount

    public init(client: HTTPClient = .shared, defaultTimeout: TimeAmount = .seconds(30)) {
        self.client = client
        self.defaultTimeout = defaultTimeout
    }

    public struct Reply: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: Data
    }

    /// Sends a request and collects the whole answer (up to `maxBytes`).
    public func send(
        _ method: HTTPMethod, _ url: String, headers: HTTPHeaders = [:], body: Data? = nil,
        timeout: TimeAmount? = nil, maxBytes: Int = 10 << 20
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = headers
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let host = URL(string: url)?.host ?? ""
        return try await Telemetry.span("HTTP \(method.rawValue) \(host)", kind: .client) { span in
            span?.attributes["http.request.method"] = method.rawValue
            span?.attributes["server.address"] = host
            Self.addTraceparent(to: &request.headers)
            let response = try await client.execute(request, timeout: timeout ?? defaultTimeout)
            span?.attributes["http.response.status_code"] = Int(response.status.code)
            let buffer = try await response.body.collect(upTo: maxBytes)
            return Reply(status: Int(response.status.code), headers: response.headers, body: Data(buffer: buffer))
        }
    }

    /// Adds the current trace as `traceparent`: the current span when tracing (the call's own span),
    /// otherwise a new child id of the trace (or a new root).
    public static func addTraceparent(to headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: "traceparent", value: TraceContext.outgoing.traceparent)
    }
}
