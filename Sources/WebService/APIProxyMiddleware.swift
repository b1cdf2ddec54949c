import AsyncHTTPClient
import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1
import Tracing

/// Local mode only: forwards `/v1/*` to the gateway or the backend, as the load balancer does on
/// AWS, streaming both bodies (so Server-Sent Events arrive as they are produced).
struct APIProxyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let backend: URL
    let gateway: URL
    let client: HTTPClient

    /// The same path rules as the load balancer's.
    static func isGatewayPath(_ path: String) -> Bool {
        let prefixes = ["/v1/chat", "/v1/images", "/v1/video", "/v1/models", "/v1/conversations", "/v1/gateway"]
        return prefixes.contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "content-length", "x-forwarded-for",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        guard path.hasPrefix("/v1/") else { return try await next(request, context) }
        let base = Self.isGatewayPath(path) ? gateway : backend
        var upstream = HTTPClientRequest(url: base.absoluteString.trimmingSuffix("/") + request.uri.description)
        upstream.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
            upstream.headers.add(name: field.name.rawName, value: field.value)
        }
        if let host = request.head.authority { upstream.headers.replaceOrAdd(name: "X-Forwarded-Host", value: host) }
        // Append the peer, as the load balancer does: the backend trusts only the last entry.
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        let forwarded = request.headers[.init("X-Forwarded-For")!].map { "\($0), \(peer)" } ?? peer
        upstream.headers.replaceOrAdd(name: "X-Forwarded-For", value: forwarded)
        if request.method != .get && request.method != .head {
            let length = request.headers[.contentLength].flatMap(Int.init)
            upstream.body = .stream(request.body, length: length.map { .known(Int64($0)) } ?? .unknown)
        }
        let response: HTTPClientResponse = try await Telemetry.span(
            "proxy \(request.method.rawValue) \(path)", kind: .client
        ) { span in
            span?.attributes["server.address"] = base.host
            span?.attributes["http.request.method"] = request.method.rawValue
            OutgoingHTTP.addTraceparent(to: &upstream.headers)
            do {
                let response = try await client.execute(upstream, timeout: .minutes(15))
                span?.attributes["http.response.status_code"] = Int(response.status.code)
                return response
            } catch {
                span?.fail(error)
                context.logger.error(
                    "upstream unreachable", metadata: ["upstream": "\(base.absoluteString)", "error": "\(error)"])
                throw AppError.serviceUnavailable
            }
        }
        var headers = HTTPFields()
        for header in response.headers where !Self.hopByHop.contains(header.name.lowercased()) {
            if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
        }
        return Response(
            status: .init(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase),
            headers: headers, body: ResponseBody(asyncSequence: response.body))
    }
}
