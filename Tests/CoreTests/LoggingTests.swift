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

    @Test(arguments: [
        ("Authorization: BEARER abc.def/ghi= and more text", "Authorization: [redacted] and more text"),
        ("calling with bearer\tsk-1234567890abcdef now", "calling with [redacted] now"),
        ("nothing follows the last word here: bearer", "nothing follows the last word here: bearer"),
        ("id eyJhbGciOi.eyJzdWIiOi.c2ln-_x, then", "id [redacted], then"),
        ("too short to be a token eyJab.eyJcd.x here", "too short to be a token eyJab.eyJcd.x here"),
        ("connect redis://:pw-with:colon@cache:6379/0", "connect [redacted]cache:6379/0"),
        ("connect POSTGRESQL://app:s3cret@db/studio ok", "connect [redacted]db/studio ok"),
        ("no password in postgres://app@db:5432/studio", "no password in postgres://app@db:5432/studio"),
        ("رسالة عربية طويلة بلا أسرار فيها", "رسالة عربية طويلة بلا أسرار فيها"),
    ])
    func secretsInFreeTextAreCutOut(text: String, expected: String) {
        #expect(LogRedaction.redactString(text) == expected)
    }

    @Test func linesEscapeWhatJSONNeedsAndKeepArabic() throws {
        let capture = LogCapture()
        let logger = capture.logger(service: "gateway")
        logger.error(
            "quote \" backslash \\ line\nbreak \u{1} — مرحبا",
            metadata: ["msg": "not the message", "list": ["a", "ب"], "map": ["password": "x", "z": "y"]])
        let raw = try #require(capture.all.first)
        #expect(raw.contains("مرحبا") && !raw.contains("\n") && raw.contains("\\u0001"))
        let line = try #require(capture.objects.first)
        #expect(line["msg"] as? String == "quote \" backslash \\ line\nbreak \u{1} — مرحبا")
        #expect(line["list"] as? [String] == ["a", "ب"])
        #expect(line["map"] as? [String: String] == ["password": "[redacted]", "z": "y"])
        #expect((line["source"] as? String)?.hasPrefix("LoggingTests.swift:") == true)
        // Keys in order, as JSONSerialization's sortedKeys wrote them.
        #expect(raw.hasPrefix("{\"level\":\"error\",\"list\":[\"a\",\"ب\"],\"map\":{\"password\""))
        let ts = try #require(line["ts"] as? String)
        #expect(ts.utf8.count == 24 && ts.hasSuffix("Z"))
        #expect(ts.hasPrefix(String(Calendar(identifier: .gregorian).component(.year, from: Date()))))
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

    @Test func newRootsAreDistinctLowerCaseHexOfTheRightLength() {
        let roots = (0..<1000).map { _ in TraceContext.newRoot() }
        #expect(Set(roots.map(\.traceID)).count == 1000 && Set(roots.map(\.spanID)).count == 1000)
        let hex = Set("0123456789abcdef")
        #expect(roots.allSatisfy { $0.traceID.count == 32 && $0.spanID.count == 16 })
        #expect(roots.allSatisfy { ($0.traceID + $0.spanID).allSatisfy(hex.contains) })
        // Every hex digit shows up in every position of the trace id over many draws: the bytes are all random.
        for position in 0..<32 {
            let digits = Set(roots.map { Array($0.traceID)[position] })
            #expect(digits.count == 16, "position \(position) drew only \(digits.sorted())")
        }
        #expect(TraceContext(traceparent: roots[0].traceparent) == roots[0])
    }
}

struct JSONWriterTests {
    @Test func writesWhatJSONSerializationReadsBack() throws {
        let value: [String: Any] = [
            "model": "gpt-4o", "stream": true, "max": 16, "ratio": 0.25, "whole": 3.0, "none": NSNull(),
            "messages": [["role": "user", "content": "ما هي \"عاصمة\" الأردن؟\n\t\u{1}/"]],
            "nested": ["b": [1, 2], "a": [String: Any]()], "missing": Optional<String>.none as Any,
        ]
        let bytes = try JSONWriter.bytes(value)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(
            text.hasPrefix(#"{"max":16,"messages":[{"content":"ما هي \"عاصمة\" الأردن؟\n\t\u0001/","role":"user"}]"#))
        let back = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(back["model"] as? String == "gpt-4o")
        #expect(back["stream"] as? Bool == true)
        #expect(back["ratio"] as? Double == 0.25)
        #expect(back["whole"] as? Int == 3)
        #expect(back["none"] is NSNull && back["missing"] is NSNull)
        #expect((back["nested"] as? [String: Any])?["b"] as? [Int] == [1, 2])
        let message = try #require((back["messages"] as? [[String: String]])?.first)
        #expect(message["content"] == "ما هي \"عاصمة\" الأردن؟\n\t\u{1}/")
    }

    @Test func valuesWithoutAJSONFormAreRefused() {
        #expect(throws: JSONWriter.UnsupportedValue.self) { try JSONWriter.bytes(["when": Date()]) }
        #expect(throws: JSONWriter.UnsupportedValue.self) { try JSONWriter.bytes(["n": Double.nan]) }
    }
}
