import Core
import Foundation

/// A redis-server of the test's own, so a test may stop and restart it.
public final class LocalRedisServer: @unchecked Sendable {
    public let port: Int
    private var process: Process?
    private let directory: String

    /// Extra `redis-server` options, e.g. `["--enable-debug-command", "local"]`.
    private let options: [String]

    public init(options: [String] = []) throws {
        self.options = options
        // Below the system's ephemeral range (32768–60999 on Linux): while this server is stopped for a
        // restart, no server that binds port 0 in a parallel test can be handed its port.
        port = try freeLoopbackPort(in: 20000..<32000)
        directory = NSTemporaryDirectory() + "aistudio-redis-\(port)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", directory, "--logfile", directory + "/redis.log",
            ] + options
        try process.run()
        self.process = process
        for _ in 0..<100 {
            if canConnect(port: port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw POSIXError(.ECONNREFUSED)
    }

    /// Kills the server as a crash would (SIGKILL cannot be blocked, unlike SIGTERM, whose mask the
    /// child may inherit from a thread of the test process).
    public func stop() {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
