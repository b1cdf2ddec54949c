import Core
import Foundation
import Logging
import Synchronization

/// Collects log lines in memory so a test can read what would have been printed.
public final class LogCapture: LogSink {
    private let lines = Mutex<[String]>([])

    public init() {}

    public func write(line: String) { lines.withLock { $0.append(line) } }

    public var all: [String] { lines.withLock { $0 } }

    /// Each line parsed as a JSON object.
    public var objects: [[String: Any]] {
        all.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// A logger writing JSON lines here.
    public func logger(service: String = "test", level: Logger.Level = .trace) -> Logger {
        Logger(label: service) { label in JSONLogHandler(label: label, service: service, level: level, sink: self) }
    }
}
