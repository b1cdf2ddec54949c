import Foundation
import Hummingbird
import Prometheus

/// One named dependency check for `/readyz`.
public struct ReadinessCheck: Sendable {
    public let name: String
    public let probe: @Sendable () async throws -> Void

    public init(_ name: String, probe: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.probe = probe
    }
}

extension Router {
    /// `GET /healthz` (the process answers), `GET /readyz` (every dependency answers within the
    /// timeout; 503 naming the failing ones otherwise) and `GET /metrics` (Prometheus text).
    public func addOperationalRoutes(
        service: String, checks: [ReadinessCheck], registry: PrometheusCollectorRegistry,
        timeout: Duration = .seconds(2)
    ) {
        get("/healthz") { _, _ in
            jsonResponse(.ok, ["status": "ok", "service": service])
        }
        get("/readyz") { _, context in
            let results = await Self.runChecks(checks, timeout: timeout)
            let failing = results.filter { $0.value != "ok" }.keys.sorted()
            if !failing.isEmpty {
                context.logger.warning("not ready", metadata: ["failing": "\(failing.joined(separator: ","))"])
            }
            let body: [String: Any] = [
                "status": failing.isEmpty ? "ready" : "unavailable", "service": service,
                "checks": results, "failing": failing,
            ]
            return jsonResponse(failing.isEmpty ? .ok : .serviceUnavailable, body)
        }
        get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }

    static func runChecks(_ checks: [ReadinessCheck], timeout: Duration) async -> [String: String] {
        await withTaskGroup(of: (String, String).self) { group in
            for check in checks {
                group.addTask {
                    do {
                        try await withTimeout(timeout) { try await check.probe() }
                        return (check.name, "ok")
                    } catch is TimeoutError {
                        return (check.name, "timeout")
                    } catch {
                        return (check.name, "failing")
                    }
                }
            }
            var results: [String: String] = [:]
            for await (name, status) in group { results[name] = status }
            return results
        }
    }
}

/// A JSON response from a plain dictionary (health and readiness answers).
public func jsonResponse(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    return Response(
        status: status, headers: [.contentType: "application/json; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

public struct TimeoutError: Error {}

/// Runs `body`, giving up with `TimeoutError` after `limit`.
public func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws
    -> T
{
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeoutError()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
