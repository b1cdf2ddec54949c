import Foundation
import Logging
import Metrics
import OTel
import ServiceLifecycle
import Synchronization
import Tracing

/// A service's tracer: OpenTelemetry spans sent over OTLP/HTTP by swift-otel's batch processor, or
/// nothing when `OTEL_EXPORTER_OTLP_ENDPOINT` is unset. The tracer is not bootstrapped process-wide:
/// each entry point (an HTTP request, a job) makes it current for its task with `run`, so everything
/// below it — `Telemetry.span`, outgoing calls, enqueued jobs — joins the same trace, and `TraceContext`
/// (logs' `trace_id`, `traceparent` headers) follows the current span.
public struct Telemetry: Sendable {
    public let tracer: (any Tracer)?
    /// The exporter's background work; runs beside the application until shutdown flushes it.
    public let service: (any Service)?
    /// Spans lost because the collector could not take them (queue full or export failed).
    public let dropped: DroppedSpans

    public static let off = Telemetry(tracer: nil, service: nil, dropped: DroppedSpans())

    /// The tracer of the entry point being served, if it traces.
    @TaskLocal static var activeTracer: (any Tracer)?

    /// True inside an entry point that traces.
    public static var isTracing: Bool { activeTracer != nil }

    public static func make(_ settings: TelemetrySettings, service: String, logger: Logger) throws -> Telemetry {
        guard let endpoint = settings.endpoint else { return .off }
        let dropped = DroppedSpans()
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.serviceName ?? "ai-studio-\(service)"
        configuration.resourceAttributes = ["service.namespace": "ai-studio"]
        configuration.logs.enabled = false
        configuration.metrics.enabled = false  // Prometheus `/metrics` stays the source of metrics
        configuration.traces.sampler = .parentBasedTraceIDRatio(ratio: settings.sampleRatio) ?? .parentBasedAlwaysOn
        let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        configuration.traces.otlpExporter.endpoint = base + "/v1/traces"
        configuration.traces.otlpExporter.protocol = settings.json ? .httpJSON : .httpProtobuf
        // The collector is on the same loopback: one that is away costs a batch at most this long, and a
        // shutdown its final flush.
        configuration.traces.otlpExporter.timeout = .seconds(1)
        configuration.traces.batchSpanProcessor.scheduleDelay = settings.scheduleDelay
        configuration.traces.batchSpanProcessor.maxQueueSize = settings.maxQueueSize
        // A full queue is sent whole: at a few hundred requests a second (about 15 spans each) batches of
        // OTel's default 512 fall behind and drop spans even with the collector answering.
        configuration.traces.batchSpanProcessor.maxExportBatchSize = settings.maxQueueSize
        configuration.traces.batchSpanProcessor.exportTimeout = .seconds(2)
        configuration.diagnosticLogger = .custom(dropped.logger(forwardingTo: logger))
        configuration.diagnosticLogLevel = .warning
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        // Kept until the process exits: swift-otel's exporter shuts its HTTP client down synchronously
        // in its deinit, which AsyncHTTPClient refuses (a trap) on an event loop thread — where the
        // gateway's tasks, and so its last release of the tracer, run.
        retainedBackends.withLock { $0 += [backend.factory, backend.service] as [any Sendable] }
        return Telemetry(tracer: backend.factory, service: backend.service, dropped: dropped)
    }

    private static let retainedBackends = Mutex<[any Sendable]>([])

    /// Runs an entry point (a request, a job) with this tracer current; without one, just runs it.
    public func run<T>(_ body: () async throws -> T) async rethrows -> T {
        guard let tracer else { return try await body() }
        return try await withTracer(tracer) {
            try await Telemetry.$activeTracer.withValue(tracer) { try await body() }
        }
    }

    /// Where a request stands in its trace, to carry into work that runs after the handler returned
    /// (a streamed response body is written outside the middleware's task-locals).
    public struct Scope: Sendable {
        let tracer: (any Tracer)?
        let context: ServiceContext?
        let trace: TraceContext?

        public static var current: Scope {
            Scope(tracer: Telemetry.activeTracer, context: ServiceContext.current, trace: TraceContext.current)
        }

        /// Runs `body` where the scope was taken.
        public func restore<T>(_ body: () async throws -> T) async rethrows -> T {
            guard let tracer else { return try await TraceContext.$current.withValue(trace) { try await body() } }
            return try await withTracer(tracer) {
                try await Telemetry.$activeTracer.withValue(tracer) {
                    try await ServiceContext.$current.withValue(context) {
                        try await TraceContext.$current.withValue(trace) { try await body() }
                    }
                }
            }
        }
    }

    /// A span that outlives the call that starts it (a provider's stream, ended when the stream is);
    /// nil outside a traced entry point. Its `traceparent` is what calls made for it should carry.
    public static func startSpan(_ name: String, kind: SpanKind) -> (any Span)? {
        guard isTracing else { return nil }
        return Tracing.startSpan(name, ofKind: kind)
    }

    /// Runs `body` with `span` current (nil: as it is).
    public static func within<T>(_ span: (any Span)?, _ body: () async throws -> T) async rethrows -> T {
        guard let span else { return try await body() }
        return try await ServiceContext.$current.withValue(span.context) {
            try await TraceContext.$current.withValue(TraceContext.ofCurrentSpan() ?? TraceContext.current) {
                try await body()
            }
        }
    }

    /// A child span of the current one around `body`, current while it runs; `TraceContext.current`
    /// follows it. Outside a traced entry point it costs a task-local read and passes `nil`.
    public static func span<T>(
        _ name: String, kind: SpanKind = .internal, _ body: (_ span: (any Span)?) async throws -> T
    ) async rethrows -> T {
        guard isTracing else { return try await body(nil) }
        return try await withSpan(name, ofKind: kind) { span in
            try await TraceContext.$current.withValue(TraceContext.ofCurrentSpan() ?? TraceContext.current) {
                try await body(span)
            }
        }
    }

    /// A `pg query` span (`db.query.summary` such as `INSERT usage_logs`) around a PostgreSQL call.
    public static func query<T>(_ summary: String, _ body: () async throws -> T) async rethrows -> T {
        try await span("pg query", kind: .client) { span in
            span?.attributes["db.system"] = "postgresql"
            span?.attributes["db.query.summary"] = summary
            return try await body()
        }
    }

    /// A span that ends when `body` does, started inside a traced entry point from an explicit parent
    /// (a request's or a job's `traceparent`).
    public static func entrySpan<T>(
        _ name: String, kind: SpanKind, parent traceparent: String?, _ body: (_ span: any Span) async throws -> T
    ) async rethrows -> T {
        var context = ServiceContext.topLevel
        if let traceparent {
            InstrumentationSystem.instrument.extract(
                ["traceparent": traceparent], into: &context, using: DictionaryExtractor())
        }
        return try await withSpan(name, context: context, ofKind: kind) { span in
            try await TraceContext.$current.withValue(TraceContext.ofCurrentSpan()) { try await body(span) }
        }
    }
}

extension TraceContext {
    /// The current span's ids as the propagator writes them; nil when no tracer records it.
    static func ofCurrentSpan() -> TraceContext? {
        guard let context = ServiceContext.current else { return nil }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryInjector())
        return carrier["traceparent"].flatMap(TraceContext.init(traceparent:))
    }

    /// The `traceparent` to send on a call or a job: the current span itself when tracing (the caller
    /// wraps the call in a span), otherwise a new child id of the current trace.
    public static var outgoing: TraceContext {
        if Telemetry.isTracing, let current { return current }
        return (current ?? .newRoot()).child()
    }
}

struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}

/// Counts spans the exporter lost — the batch processor reports them only in its diagnostic log, so
/// its log handler reads them from there — as `otel_spans_dropped_total`, and passes the lines on.
public final class DroppedSpans: Sendable {
    private let count = Mutex(0)
    private let counter = Counter(label: "otel_spans_dropped_total")

    public init() {}

    public var value: Int { count.withLock { $0 } }

    func add(_ spans: Int) {
        guard spans > 0 else { return }
        count.withLock { $0 += spans }
        counter.increment(by: spans)
    }

    func logger(forwardingTo logger: Logger) -> Logger {
        let forward = logger.handler
        return Logger(label: "otel") { _ in MultiplexLogHandler([DropCountingHandler(dropped: self), forward]) }
    }

    struct DropCountingHandler: LogHandler {
        let dropped: DroppedSpans
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .warning

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            func number(_ key: String) -> Int { all[key].flatMap { Int("\($0)") } ?? 0 }
            let text = "\(event.message)"
            if text.hasPrefix("Failed to export batch") {
                dropped.add(number("batch_size"))
            } else if text.hasPrefix("Spans were dropped") {
                dropped.add(number("dropped_count"))
            }
        }
    }
}

extension Span {
    /// Marks the span failed: the error as an exception event, and the error status X-Ray shows.
    public func fail(_ error: any Error) {
        recordError(error)
        setStatus(.init(code: .error))
    }
}
