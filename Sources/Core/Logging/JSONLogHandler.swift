import Foundation
import Logging
import Synchronization

/// Where log lines go: stdout in the services, a buffer in tests.
public protocol LogSink: Sendable {
    func write(line: String)
    /// One line as UTF-8 bytes, without its newline (what `JSONLogHandler` writes).
    func write(lineBytes: [UInt8])
}

extension LogSink {
    public func write(lineBytes: [UInt8]) {
        write(line: String(decoding: lineBytes, as: UTF8.self))
    }
}

/// Each line with one `write(2)` to descriptor 1, newline included: a line shorter than a pipe's buffer
/// (4 kB) reaches the log driver whole, whichever thread wrote it.
public struct StandardOutputSink: LogSink {
    public init() {}

    public func write(line: String) {
        write(lineBytes: Array(line.utf8))
    }

    public func write(lineBytes: [UInt8]) {
        var bytes = lineBytes
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(1, base + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && (errno == EINTR || errno == EAGAIN) {
                    // A non-blocking pipe that is full: wait until it takes more (a log line is never dropped
                    // for that, only when standard output is gone).
                    var ready = pollfd(fd: 1, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, 100)
                } else {
                    return
                }
            }
        }
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
        var fields: [(key: String, value: Logger.Metadata.Value)] = []
        fields.reserveCapacity(merged.count + 7)
        for (key, value) in merged {
            fields.append((key, LogRedaction.isSecretKey(key) ? .string("[redacted]") : value))
        }
        // The handler's own keys win over metadata of the same name.
        fields.removeAll { Self.ownKeys.contains($0.key) }
        fields.append(("ts", .string(Self.timestamp())))
        fields.append(("level", .string(event.level.rawValue)))
        fields.append(("service", .string(service)))
        fields.append(("msg", .string(event.message.description)))
        if event.level >= .error {
            fields.append(("source", .string("\(event.file.split(separator: "/").last ?? ""):\(event.line)")))
        }
        if let trace = TraceContext.current {
            if merged["trace_id"] == nil { fields.append(("trace_id", .string(trace.traceID))) }
            if merged["span_id"] == nil { fields.append(("span_id", .string(trace.spanID))) }
        }
        fields.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var line = JSONLine()
        line.object(fields)
        sink.write(lineBytes: line.bytes)
    }

    private static let ownKeys: Set<String> = ["ts", "level", "service", "msg", "source"]

    /// `2026-11-28T12:01:44.123Z`, from the system clock without Foundation's formatters.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.utf8.count)) + digits
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "."
            + pad(Int32(now.tv_nsec / 1_000_000), 3) + "Z"
    }
}

/// One log line as JSON, written by hand: sorted keys as given, strings redacted and escaped,
/// non-ASCII text kept as it is (Arabic stays readable).
struct JSONLine {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(256) }

    mutating func object(_ fields: [(key: String, value: Logger.Metadata.Value)]) {
        bytes.append(UInt8(ascii: "{"))
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(field.key)
            bytes.append(UInt8(ascii: ":"))
            value(field.value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func value(_ value: Logger.Metadata.Value) {
        switch value {
        case .string(let text): string(LogRedaction.redactString(text))
        case .stringConvertible(let convertible): string(LogRedaction.redactString(convertible.description))
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                self.value(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            object(
                dictionary.map { ($0.key, LogRedaction.isSecretKey($0.key) ? .string("[redacted]") : $0.value) }
                    .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) })
        }
    }

    private mutating func string(_ text: String) {
        JSONWriter.appendString(text, to: &bytes)
    }
}

/// Which keys and values never reach a log line.
public enum LogRedaction {
    static let secretKeyFragments: [[UInt8]] = [
        "authorization", "cookie", "token", "secret", "password", "passwd", "api_key", "apikey", "jwt",
        "credential", "signature", "session", "private_key", "x-amz-security",
    ].map { Array($0.utf8) }

    /// Whether values under `key` are redacted. Log keys come from the code, a few dozen of them: each is
    /// looked at once and the answer kept.
    public static func isSecretKey(_ key: String) -> Bool {
        if let known = knownKeys.withLock({ $0[key] }) { return known }
        let secret = looksSecret(key)
        knownKeys.withLock { known in
            if known.count < 1024 { known[key] = secret }
        }
        return secret
    }

    private static let knownKeys = Mutex<[String: Bool]>([:])

    private static func looksSecret(_ key: String) -> Bool {
        let lowered = key.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        return secretKeyFragments.contains { fragment in
            lowered.count >= fragment.count
                && (0...(lowered.count - fragment.count)).contains { start in
                    lowered[start..<start + fragment.count].elementsEqual(fragment)
                }
        }
    }

    /// Replaces bearer tokens (`bearer <token>`, any case), JWTs (`eyJ….….…`) and the password in
    /// database URLs (`postgres://user:password@`, also postgresql, redis, rediss) inside free text.
    public static func redactString(_ string: String) -> String {
        let text = Array(string.utf8)
        guard text.count >= 20 else { return string }
        var out: [UInt8] = []
        var index = 0
        var copied = 0
        while index < text.count {
            guard let end = bearer(text, at: index) ?? jwt(text, at: index) ?? credentialURL(text, at: index) else {
                index += 1
                continue
            }
            if out.isEmpty { out.reserveCapacity(text.count) }
            out.append(contentsOf: text[copied..<index])
            out.append(contentsOf: redacted)
            index = end
            copied = end
        }
        guard copied > 0 else { return string }
        out.append(contentsOf: text[copied...])
        return String(decoding: out, as: UTF8.self)
    }

    private static let redacted = Array("[redacted]".utf8)

    private static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0d).contains(byte) }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "-")
    }

    /// `[A-Za-z0-9._~+/=-]`: what a bearer token is made of.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        isBase64URL(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
    }

    /// Where `word` (lower case) ends if `text` has it at `start`, in any case.
    private static func word(_ word: [UInt8], in text: [UInt8], at start: Int) -> Int? {
        guard start + word.count <= text.count else { return nil }
        for (offset, byte) in word.enumerated() where lower(text[start + offset]) != byte { return nil }
        return start + word.count
    }

    private static func run(_ text: [UInt8], from start: Int, while accepts: (UInt8) -> Bool) -> Int {
        var end = start
        while end < text.count, accepts(text[end]) { end += 1 }
        return end
    }

    /// `bearer`, white space, a token.
    private static func bearer(_ text: [UInt8], at start: Int) -> Int? {
        guard lower(text[start]) == UInt8(ascii: "b"), let afterWord = word(bearerWord, in: text, at: start) else {
            return nil
        }
        let afterSpace = run(text, from: afterWord, while: isSpace)
        guard afterSpace > afterWord else { return nil }
        let end = run(text, from: afterSpace, while: isTokenByte)
        return end > afterSpace ? end : nil
    }

    private static let bearerWord = Array("bearer".utf8)

    /// `eyJ`, 5 or more base64url characters, a dot, 5 or more, a dot, any number.
    private static func jwt(_ text: [UInt8], at start: Int) -> Int? {
        guard text[start] == UInt8(ascii: "e"), start + 3 <= text.count, text[start + 1] == UInt8(ascii: "y"),
            text[start + 2] == UInt8(ascii: "J")
        else { return nil }
        let header = run(text, from: start + 3, while: isBase64URL)
        guard header - (start + 3) >= 5, header < text.count, text[header] == UInt8(ascii: ".") else { return nil }
        let payload = run(text, from: header + 1, while: isBase64URL)
        guard payload - (header + 1) >= 5, payload < text.count, text[payload] == UInt8(ascii: ".") else { return nil }
        return run(text, from: payload + 1, while: isBase64URL)
    }

    private static let schemes = ["postgresql://", "postgres://", "rediss://", "redis://"].map { Array($0.utf8) }

    /// `postgres://user:password@` (and postgresql, redis, rediss): up to and including the `@`.
    private static func credentialURL(_ text: [UInt8], at start: Int) -> Int? {
        let first = lower(text[start])
        guard first == UInt8(ascii: "p") || first == UInt8(ascii: "r"),
            let afterScheme = schemes.lazy.compactMap({ word($0, in: text, at: start) }).first
        else { return nil }
        let user = run(text, from: afterScheme) {
            !isSpace($0) && $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "@")
        }
        guard user < text.count, text[user] == UInt8(ascii: ":") else { return nil }
        let password = run(text, from: user + 1) { !isSpace($0) && $0 != UInt8(ascii: "@") }
        guard password > user + 1, password < text.count, text[password] == UInt8(ascii: "@") else { return nil }
        return password + 1
    }
}
