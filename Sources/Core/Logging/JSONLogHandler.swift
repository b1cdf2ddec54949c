import Foundation
import Logging

/// Where log lines go: stdout in the services, a buffer in tests.
public protocol LogSink: Sendable {
    func write(line: String)
}

public struct StandardOutputSink: LogSink {
    public init() {}
    public func write(line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// Writes one JSON object per line: `ts, level, service, msg, trace_id, span_id` plus metadata.
/// Values under secret-looking keys, and bearer or JWT-shaped strings, are redacted.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let service: String
    private let sink: any LogSink

    public init(label: String, service: String, level: Logger.Level = .info, sink: any LogSink = StandardOutputSink()) {
        self.label = label
        self.service = service
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var object: [String: Any] = [:]
        for (key, value) in merged { object[key] = LogRedaction.redact(key: key, value: value) }
        object["ts"] = Self.timestamp()
        object["level"] = event.level.rawValue
        object["service"] = service
        object["msg"] = LogRedaction.redactString(event.message.description)
        if event.level >= .error { object["source"] = "\(event.file.split(separator: "/").last ?? ""):\(event.line)" }
        if let trace = TraceContext.current {
            if object["trace_id"] == nil { object["trace_id"] = trace.traceID }
            if object["span_id"] == nil { object["span_id"] = trace.spanID }
        }
        guard JSONSerialization.isValidJSONObject(object),
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        sink.write(line: String(decoding: data, as: UTF8.self))
    }

    private static func timestamp() -> String {
        Date().formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

/// Which keys and values never reach a log line.
public enum LogRedaction {
    static let secretKeyFragments = [
        "authorization", "cookie", "token", "secret", "password", "passwd", "api_key", "apikey", "jwt",
        "credential", "signature", "session", "private_key", "x-amz-security",
    ]

    public static func isSecretKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return secretKeyFragments.contains { lowered.contains($0) }
    }

    static func redact(key: String, value: Logger.Metadata.Value) -> Any {
        if isSecretKey(key) { return "[redacted]" }
        switch value {
        case .string(let string): return redactString(string)
        case .stringConvertible(let convertible): return redactString(convertible.description)
        case .array(let array): return array.map { redact(key: "", value: $0) }
        case .dictionary(let dictionary):
            var out: [String: Any] = [:]
            for (k, v) in dictionary { out[k] = redact(key: k, value: v) }
            return out
        }
    }

    /// Replaces bearer tokens, JWTs and AWS secret-looking material inside free text.
    public static func redactString(_ string: String) -> String {
        guard string.count >= 20 else { return string }
        var result = string
        for pattern in patterns {
            result = result.replacing(pattern) { _ in "[redacted]" }
        }
        return result
    }

    nonisolated(unsafe) private static let patterns: [Regex<Substring>] = [
        try! Regex(#"(?i)bearer\s+[A-Za-z0-9._~+/=-]+"#, as: Substring.self),
        try! Regex(#"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"#, as: Substring.self),
        try! Regex(#"(?i)(?:postgres|postgresql|redis|rediss)://[^:/@\s]*:[^@\s]+@"#, as: Substring.self),
    ]
}
