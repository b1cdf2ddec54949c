import HTTPTypes
import Hummingbird
import Logging
import Tracing

extension HTTPField.Name {
    public static let traceparent = HTTPField.Name("traceparent")!
}

/// Accepts or creates a W3C `traceparent`, makes it current for the request (so every log line
/// carries its trace id), and returns it on the response. With a tracer, the request is a server span
/// named `HTTP <method> <route>` (a child of the caller's span), ended once the body — a whole SSE
/// stream included — has been written.
public struct TraceMiddleware<Context: RequestContext>: RouterMiddleware {
    let telemetry: Telemetry

    public init(telemetry: Telemetry = .off) { self.telemetry = telemetry }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard telemetry.tracer != nil else {
            let incoming = request.headers[.traceparent].flatMap(TraceContext.init(traceparent:))
            return try await serve(request, context: context, trace: incoming?.child() ?? .newRoot(), next: next)
        }
        return try await telemetry.run {
            var parent = ServiceContext.topLevel
            InstrumentationSystem.instrument.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
            let route = context.endpointPath.map { " \($0)" } ?? ""
            let span = startSpan("HTTP \(request.method.rawValue)\(route)", context: parent, ofKind: .server)
            span.updateAttributes { attributes in
                attributes["http.request.method"] = request.method.rawValue
                attributes["url.path"] = request.uri.path
                attributes["http.route"] = context.endpointPath
                attributes["user_agent.original"] = request.headers[.userAgent]
            }
            do {
                return try await ServiceContext.$current.withValue(span.context) {
                    let trace = TraceContext.ofCurrentSpan() ?? .newRoot()
                    var response = try await serve(request, context: context, trace: trace, next: next)
                    let status = Int(response.status.code)
                    span.attributes["http.response.status_code"] = status
                    if status >= 500 { span.setStatus(.init(code: .error)) }
                    let body = response.body
                    response.body = ResponseBody(contentLength: body.contentLength) { writer in
                        do {
                            try await body.write(writer)
                        } catch {
                            span.recordError(error)
                            span.end()
                            throw error
                        }
                        span.end()
                    }
                    return response
                }
            } catch {
                span.fail(error)
                span.end()
                throw error
            }
        }
    }

    private func serve(
        _ request: Request, context: Context, trace: TraceContext, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.logger[metadataKey: "trace_id"] = .string(trace.traceID)
        context.logger[metadataKey: "span_id"] = .string(trace.spanID)
        return try await TraceContext.$current.withValue(trace) {
            var response = try await next(request, context)
            response.headers[.traceparent] = trace.traceparent
            return response
        }
    }
}

struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from fields: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { fields[$0] }
    }
}
