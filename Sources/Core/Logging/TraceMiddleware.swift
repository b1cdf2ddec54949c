import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    public static let traceparent = HTTPField.Name("traceparent")!
}

/// Accepts or creates a W3C `traceparent`, makes it current for the request (so every log line
/// carries its trace id), and returns it on the response.
public struct TraceMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let incoming = request.headers[.traceparent].flatMap(TraceContext.init(traceparent:))
        let trace = incoming?.child() ?? .newRoot()
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
