import Core
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A small OTLP/HTTP trace receiver on loopback, as the ADOT collector would be: takes
/// `POST /v1/traces` in the JSON encoding (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) and keeps the spans.
public final class OTLPReceiver: Sendable {
    public struct ReceivedSpan: Sendable, CustomStringConvertible {
        public let service: String
        public let name: String
        /// OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer.
        public let kind: Int
        public let traceID: String
        public let spanID: String
        public let parentSpanID: String?
        public let attributes: [String: String]
        public let events: [String]

        public var description: String {
            "\(service) \(name) \(spanID) ← \(parentSpanID ?? "root")"
        }
    }

    public let port: Int
    private let received = Mutex<[ReceivedSpan]>([])
    private let posts = Mutex(0)
    private let task = Mutex<Task<Void, any Error>?>(nil)

    public var endpoint: String { "http://127.0.0.1:\(port)" }
    public var spans: [ReceivedSpan] { received.withLock { $0 } }
    public var requests: Int { posts.withLock { $0 } }

    public init() throws { port = try freeLoopbackPort() }

    /// Starts answering; returns once the port accepts connections.
    public func start() async throws {
        let router = Router()
        router.post("v1/traces") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 32 << 20)
            self.posts.withLock { $0 += 1 }
            let spans = Self.parse(Data(buffer: body))
            self.received.withLock { $0 += spans }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        var logger = Logger(label: "otlp-receiver")
        logger.logLevel = .error
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        task.withLock { $0 = Task { try await app.run() } }
        for _ in 0..<100 {
            if canConnect(port: port) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw POSIXError(.ECONNREFUSED)
    }

    public func stop() async {
        let running = task.withLock { $0 }
        running?.cancel()
        _ = try? await running?.value
    }

    /// Trace and span ids are bytes, which protobuf's JSON writes in base64 and the OTLP specification in hex.
    static func hex(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        if text.count == 32 || text.count == 16, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        guard let bytes = Data(base64Encoded: text), bytes.contains(where: { $0 != 0 }) else { return nil }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func attributes(_ list: Any?) -> [String: String] {
        var out: [String: String] = [:]
        for case let attribute as [String: Any] in list as? [Any] ?? [] {
            guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any] else {
                continue
            }
            if let text = value["stringValue"] as? String {
                out[key] = text
            } else if let number = value["intValue"] {
                out[key] = "\(number)"
            } else if let number = value["doubleValue"] {
                out[key] = "\(number)"
            } else if let flag = value["boolValue"] as? Bool {
                out[key] = String(flag)
            } else if let array = value["arrayValue"] as? [String: Any] {
                out[key] = "\(array["values"] ?? [])"
            }
        }
        return out
    }

    static func parse(_ data: Data) -> [ReceivedSpan] {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        var spans: [ReceivedSpan] = []
        for case let resource as [String: Any] in root["resourceSpans"] as? [Any] ?? [] {
            let service = attributes((resource["resource"] as? [String: Any])?["attributes"])["service.name"] ?? ""
            for case let scope as [String: Any] in resource["scopeSpans"] as? [Any] ?? [] {
                for case let span as [String: Any] in scope["spans"] as? [Any] ?? [] {
                    guard let traceID = hex(span["traceId"] as? String), let spanID = hex(span["spanId"] as? String)
                    else { continue }
                    let events = (span["events"] as? [Any] ?? []).compactMap {
                        ($0 as? [String: Any])?["name"] as? String
                    }
                    spans.append(
                        ReceivedSpan(
                            service: service, name: span["name"] as? String ?? "",
                            kind: (span["kind"] as? Int) ?? Int("\(span["kind"] ?? 0)") ?? 0, traceID: traceID,
                            spanID: spanID, parentSpanID: hex(span["parentSpanId"] as? String),
                            attributes: attributes(span["attributes"]), events: events))
                }
            }
        }
        return spans
    }
}

/// Whether something accepts TCP connections on loopback `port`.
func canConnect(port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}
