import Core
import CoreTestSupport
import Foundation
import Logging
import Testing

struct TelemetryTests {
    @Test func tracingIsOffUntilACollectorIsNamedAndBadSettingsAreRefused() throws {
        let off = try TelemetrySettings(ConfigSource([:]))
        #expect(!off.enabled && off.sampleRatio == 1 && !off.json)
        #expect(try Telemetry.make(off, service: "gateway", logger: Logger(label: "t")).tracer == nil)

        let on = try TelemetrySettings(
            ConfigSource([
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                "OTEL_TRACES_SAMPLER_ARG": "0.25", "OTEL_SERVICE_NAME": "studio-gw", "OTEL_BSP_MAX_QUEUE_SIZE": "100",
            ]))
        #expect(on.enabled && on.json && on.sampleRatio == 0.25 && on.serviceName == "studio-gw")
        #expect(on.maxQueueSize == 100)

        let bad: [(String, String)] = [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_TRACES_SAMPLER_ARG", "1.5"), ("OTEL_TRACES_SAMPLER_ARG", "half"), ("OTEL_BSP_MAX_QUEUE_SIZE", "0"),
        ]
        for (key, value) in bad {
            #expect(throws: ConfigError.self, "\(key)=\(value)") {
                _ = try TelemetrySettings(ConfigSource([key: value]))
            }
        }
    }

    @Test func insideATracedRequestTheTraceFollowsTheCurrentSpan() async throws {
        let telemetry = try Telemetry.make(
            TelemetrySettings(endpoint: "http://127.0.0.1:\(try freeLoopbackPort())", json: true),
            service: "test", logger: Logger(label: "t"))
        // Outside a traced entry point: a span is nothing, and calls carry a new child id of the trace.
        let root = TraceContext.newRoot()
        try await TraceContext.$current.withValue(root) {
            let seen = await Telemetry.span("work") { span in (span == nil, TraceContext.current) }
            #expect(seen.0 && seen.1 == root)
            let outgoing = TraceContext.outgoing
            #expect(outgoing.traceID == root.traceID && outgoing.spanID != root.spanID)
            _ = try #require(telemetry.tracer)
        }
        // Inside: the span continues the caller's trace, becomes current, and is what calls carry.
        let caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let inner = await telemetry.run {
            await Telemetry.entrySpan("job test", kind: .consumer, parent: caller) { _ in
                let entry = TraceContext.current
                let child = await Telemetry.span("step") { span in
                    (span != nil, TraceContext.current, TraceContext.outgoing)
                }
                return (entry, child)
            }
        }
        let entry = try #require(inner.0)
        #expect(entry.traceID == "4bf92f3577b34da6a3ce929d0e0e4736" && entry.spanID != "00f067aa0ba902b7")
        #expect(inner.1.0)
        let step = try #require(inner.1.1)
        #expect(step.traceID == entry.traceID && step.spanID != entry.spanID)
        #expect(inner.1.2 == step)
    }
}
