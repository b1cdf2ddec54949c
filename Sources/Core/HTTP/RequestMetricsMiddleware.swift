import Hummingbird
import Metrics

/// Counts requests and records their duration, labelled by route (not raw path) and status.
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let endpoint = context.endpointPath ?? "unmatched"
        let dimensions = [
            ("method", request.method.rawValue), ("endpoint", endpoint), ("status", String(response.status.code)),
        ]
        Counter(label: "http_requests_total", dimensions: dimensions).increment()
        Metrics.Timer(label: "http_request_duration_seconds", dimensions: [("endpoint", endpoint)])
            .recordNanoseconds(Int64((ContinuousClock.now - started).nanoseconds))
        return response
    }
}

/// Logs one line per request with its status and duration (the trace id comes from the context).
public struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let path = request.uri.path
        if path != "/healthz" && path != "/readyz" && path != "/metrics" {
            context.logger.info(
                "request",
                metadata: [
                    "method": .string(request.method.rawValue), "path": .string(path),
                    "status": .stringConvertible(response.status.code),
                    "duration_ms": .stringConvertible((ContinuousClock.now - started).milliseconds),
                ])
        }
        return response
    }
}

extension Router {
    /// The middleware every studio service runs, outermost first: trace (a server span with a tracer),
    /// request log, metrics, errors.
    public func addStudioMiddleware(telemetry: Telemetry = .off) {
        add(middleware: TraceMiddleware(telemetry: telemetry))
        add(middleware: RequestLogMiddleware())
        add(middleware: RequestMetricsMiddleware())
        add(middleware: ErrorMiddleware())
    }
}
