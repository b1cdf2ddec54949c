import Core
import CoreTestSupport
import Foundation
import Logging
import Testing

struct LoggingTests {
    @Test func linesAreJSONWithTraceIDsFromTheCurrentTrace() throws {
        let capture = LogCapture()
        let logger = capture.logger(service: "backend")
        let trace = try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))

        TraceContext.$current.withValue(trace) {
            logger.info("payment settled", metadata: ["payment_id": "p-1", "amount_fils": "3000"])
        }

        let line = try #require(capture.objects.first)
        #expect(line["msg"] as? String == "payment settled")
        #expect(line["level"] as? String == "info")
        #expect(line["service"] as? String == "backend")
        #expect(line["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(line["span_id"] as? String == "00f067aa0ba902b7")
        #expect(line["payment_id"] as? String == "p-1")
        let ts = try #require(line["ts"] as? String)
        #expect(ts.hasSuffix("Z") && ts.contains("T"))
        #expect(capture.all.first?.contains("\n") == false)
    }

    @Test func secretsNeverReachALine() throws {
        let capture = LogCapture()
        let logger = capture.logger()
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLWJ5dGVz"

        logger.info(
            "calling provider with Bearer sk-live-abcdefghijklmnop",
            metadata: [
                "authorization": "Bearer sk-live-abcdefghijklmnop",
                "cookie": "session=\(jwt)",
                "JWT_SECRET": "super-secret-value-0123456789",
                "database_password": "hunter2hunter2",
                "note": "token was \(jwt)",
                "url": "postgres://app:hunter2hunter2@db:5432/studio",
                "nested": ["api_key": "sk-nested-secret"],
            ])

        let text = try #require(capture.all.first)
        for secret in ["sk-live-abcdefghijklmnop", jwt, "super-secret-value", "hunter2hunter2", "sk-nested-secret"] {
            #expect(!text.contains(secret), "\(secret) leaked")
        }
        let line = try #require(capture.objects.first)
        #expect(line["authorization"] as? String == "[redacted]")
        #expect((line["url"] as? String)?.hasSuffix("db:5432/studio") == true)
    }

    @Test func levelBelowThresholdIsDropped() {
        let capture = LogCapture()
        var logger = capture.logger()
        logger.logLevel = .warning
        logger.info("quiet")
        logger.error("loud")
        #expect(capture.objects.map { $0["msg"] as? String } == ["loud"])
    }
}

struct TraceContextTests {
    @Test func validTraceparentIsParsedAndChildKeepsTheTrace() throws {
        let parent = try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        let child = parent.child()
        #expect(child.traceID == parent.traceID)
        #expect(child.spanID != parent.spanID && child.spanID.count == 16)
        #expect(child.traceparent.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-"))
    }

    @Test(arguments: [
        "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01",
    ])
    func invalidTraceparentIsRejected(value: String) {
        #expect(TraceContext(traceparent: value) == nil)
    }

    @Test func newRootsAreDistinct() {
        let a = TraceContext.newRoot()
        let b = TraceContext.newRoot()
        #expect(a.traceID != b.traceID && a.traceID.count == 32)
    }
}
