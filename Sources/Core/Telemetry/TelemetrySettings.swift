import Foundation

/// Where spans go (the OpenTelemetry environment variables). Tracing is off unless
/// `OTEL_EXPORTER_OTLP_ENDPOINT` is set: on ECS it is the ADOT collector beside each task
/// (`http://127.0.0.1:4318`), which converts the W3C trace ids for X-Ray.
public struct TelemetrySettings: Sendable, Equatable {
    /// The collector's OTLP/HTTP base address; spans are posted to `<endpoint>/v1/traces`.
    public var endpoint: String?
    /// `http/protobuf` (the default) or `http/json`.
    public var json: Bool
    /// `OTEL_SERVICE_NAME`; by default `ai-studio-<service>`.
    public var serviceName: String?
    /// The share of new traces kept (parent-based: a request that arrives sampled stays sampled).
    public var sampleRatio: Double
    /// How often finished spans are sent, and how many may wait; more are dropped and counted.
    public var scheduleDelay: Duration
    public var maxQueueSize: Int

    public var enabled: Bool { endpoint != nil }

    public init(
        endpoint: String? = nil, json: Bool = false, serviceName: String? = nil, sampleRatio: Double = 1,
        scheduleDelay: Duration = .seconds(1), maxQueueSize: Int = 4096
    ) {
        self.endpoint = endpoint
        self.json = json
        self.serviceName = serviceName
        self.sampleRatio = sampleRatio
        self.scheduleDelay = scheduleDelay
        self.maxQueueSize = maxQueueSize
    }

    public init(_ source: ConfigSource) throws {
        let endpoint = source.string("OTEL_EXPORTER_OTLP_ENDPOINT", default: "").trimmingCharacters(in: .whitespaces)
        if !endpoint.isEmpty {
            guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigError(key: "OTEL_EXPORTER_OTLP_ENDPOINT", reason: "must be an http(s) URL")
            }
        }
        let format = source.string("OTEL_EXPORTER_OTLP_PROTOCOL", default: "http/protobuf")
        guard ["http/protobuf", "http/json"].contains(format) else {
            throw ConfigError(key: "OTEL_EXPORTER_OTLP_PROTOCOL", reason: "must be http/protobuf or http/json")
        }
        let ratioText = source.string("OTEL_TRACES_SAMPLER_ARG", default: "1")
        guard let ratio = Double(ratioText), (0...1).contains(ratio) else {
            throw ConfigError(key: "OTEL_TRACES_SAMPLER_ARG", reason: "must be a number from 0 to 1")
        }
        let name = source.string("OTEL_SERVICE_NAME", default: "")
        self.init(
            endpoint: endpoint.isEmpty ? nil : endpoint, json: format == "http/json",
            serviceName: name.isEmpty ? nil : name, sampleRatio: ratio,
            scheduleDelay: .milliseconds(try source.int("OTEL_BSP_SCHEDULE_DELAY", default: 1000, range: 10...60_000)),
            maxQueueSize: try source.int("OTEL_BSP_MAX_QUEUE_SIZE", default: 4096, range: 1...1_000_000))
    }
}
