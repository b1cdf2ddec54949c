import Core
import Foundation

/// A redis-server of the test's own, so a test may stop and restart it.
public final class LocalRedisServer: @unchecked Sendable {
    public let port: Int
    private var process: ChildProcess?
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
        guard let redis = ChildProcess.onPath("redis-server") else { throw POSIXError(.ENOENT) }
        let process = try ChildProcess.start(
            redis,
            [
                "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory,
                "--logfile", directory + "/redis.log",
            ] + options)
        self.process = process
        for _ in 0..<100 {
            if canConnect(port: port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw POSIXError(.ECONNREFUSED)
    }

    /// Kills the server as a crash would, and waits until it is gone (its port is free again).
    public func stop() {
        guard let process else { return }
        process.signal(SIGKILL)
        _ = process.waitBlocking(timeout: .seconds(10))
        self.process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
