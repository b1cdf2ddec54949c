import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Where the LibreOffice listener comes from: `OFFICE_CONVERTER` (`unoserver`, or `off`), `UNOSERVER_BIN`
/// (default `.venv-office/bin/unoserver`, else `unoserver` on PATH), `UNOSERVER_PORT` (0: a free port),
/// `DOC_CONVERT_TIMEOUT_SECONDS` (60).
struct OfficeSettings: Sendable {
    let executable: String?
    let port: Int
    let timeout: Duration
    /// `OFFICE_START_AT_BOOT` (true): start LibreOffice with the worker, so the first document does not wait for
    /// it; otherwise it starts on the first document.
    let startAtBoot: Bool

    init(_ source: ConfigSource) throws {
        let mode = source.string("OFFICE_CONVERTER", default: "unoserver")
        guard ["unoserver", "off"].contains(mode) else {
            throw ConfigError(key: "OFFICE_CONVERTER", reason: "must be unoserver or off")
        }
        if mode == "off" {
            executable = nil
        } else if let configured = source["UNOSERVER_BIN"] {
            executable = configured.contains("/") ? configured : ChildProcess.onPath(configured) ?? configured
        } else {
            let local = FileManager.default.currentDirectoryPath + "/.venv-office/bin/unoserver"
            executable = FileManager.default.isExecutableFile(atPath: local) ? local : ChildProcess.onPath("unoserver")
        }
        port = try source.int("UNOSERVER_PORT", default: 0, range: 0...65535)
        timeout = .seconds(try source.int("DOC_CONVERT_TIMEOUT_SECONDS", default: 60, range: 5...600))
        startAtBoot = try source.bool("OFFICE_START_AT_BOOT", default: true)
    }
}

/// One LibreOffice kept warm behind unoserver, spoken to over its XML-RPC API (`convert` with local paths),
/// started at boot, restarted when it dies or a conversion times out, and stopped with the worker.
actor OfficeConverter {
    enum Failure: Error, CustomStringConvertible {
        case unavailable
        case startTimedOut
        case timedOut
        case fault(String)
        var description: String {
            switch self {
            case .unavailable: "no LibreOffice converter is configured (unoserver not found)"
            case .startTimedOut: "LibreOffice did not start in time"
            case .timedOut: "the conversion took too long"
            case .fault(let message): "LibreOffice could not convert the document: \(message)"
            }
        }
    }

    let settings: OfficeSettings
    let logger: Logger
    private var process: ChildProcess?
    private var port = 0
    private var starting: Task<Void, Error>?
    private(set) var restarts = 0
    private let profileBase: URL
    /// A fresh LibreOffice profile per start: a dying instance may still hold the previous one's lock.
    private var profile: URL

    init(settings: OfficeSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        profileBase = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aistudio-office-\(UUID().uuidString)")
        profile = profileBase
    }

    var isConfigured: Bool { settings.executable != nil }

    /// Converts `input` (DOCX, PPTX, …) into `output` in the format of `output`'s extension.
    func convert(_ input: URL, to output: URL) async throws {
        try await ensureRunning()
        let body = XMLRPC.call(
            "convert",
            [
                .string(input.path), .nil, .string(output.path), .string(output.pathExtension), .nil, .array([]),
                .bool(false), .nil,
            ])
        do {
            let reply = try await post(body, timeout: settings.timeout)
            if let fault = XMLRPC.fault(in: reply) { throw Failure.fault(fault) }
        } catch let error as Failure {
            throw error
        } catch {
            // A hung or dead LibreOffice: start a fresh one for the next document.
            logger.warning("office conversion failed; restarting LibreOffice", metadata: ["error": "\(error)"])
            await stop()
            throw error is HTTPClientTimeout ? Failure.timedOut : error
        }
        guard FileManager.default.fileExists(atPath: output.path) else { throw Failure.fault("no output") }
    }

    /// Starts the listener if it is not running, and waits until it answers `info`.
    func ensureRunning() async throws {
        guard let executable = settings.executable else { throw Failure.unavailable }
        if let process, !process.hasExited, starting == nil { return }
        if let starting { return try await starting.value }
        let task = Task { try await self.launch(executable) }
        starting = task
        defer { starting = nil }
        try await task.value
    }

    /// Starts the listener; when it exits while starting (its free port was taken meanwhile by another
    /// process), tries again with other ports.
    private func launch(_ executable: String) async throws {
        for attempt in 1...3 {
            if try await launchOnce(executable) { return }
            logger.warning(
                "LibreOffice listener exited while starting; trying other ports", metadata: ["attempt": "\(attempt)"])
        }
        throw Failure.startTimedOut
    }

    /// True when the listener answers; false when it exited before; throws when it hangs.
    private func launchOnce(_ executable: String) async throws -> Bool {
        await stop()
        port = settings.port == 0 ? try freeLoopbackPort() : settings.port
        let unoPort = try freeLoopbackPort()
        profile = profileBase.appendingPathExtension("\(restarts + 1).d")
        try? FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let arguments = [
            "--interface", "127.0.0.1", "--port", String(port), "--uno-interface", "127.0.0.1", "--uno-port",
            String(unoPort), "--user-installation", profile.path,
            "--conversion-timeout", String(settings.timeout.components.seconds), "--quiet",
        ]
        let process = try ChildProcess.start(executable, arguments, output: .file(logFile.path))
        self.process = process
        restarts += 1
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(90) {
            let output = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            if process.hasExited || output.contains("Address already in use") {
                logger.warning(
                    "LibreOffice listener stopped while starting", metadata: ["output": "\(output.suffix(300))"])
                await stop()
                return false
            }
            // Answered, and by ours: another listener could hold the port if ours failed to bind it.
            if let reply = try? await post(XMLRPC.call("info", []), timeout: .seconds(2)), reply.contains("unoserver"),
                !process.hasExited
            {
                logger.info(
                    "LibreOffice listener ready",
                    metadata: ["port": "\(port)", "ms": "\((ContinuousClock.now - started).components.seconds * 1000)"])
                return true
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let output = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        logger.error("LibreOffice listener did not start", metadata: ["output": "\(output.suffix(600))"])
        await stop()
        throw Failure.startTimedOut
    }

    private var logFile: URL { profile.appendingPathExtension("log") }
    /// The current start's LibreOffice profile folder (every process of it names it).
    var profilePath: String { profile.path }
    /// Stops unoserver and the LibreOffice it started through its launcher, also when unoserver already died,
    /// and removes the profile. Only unoserver is asked (SIGTERM): it stops LibreOffice and waits for it, about
    /// 2 s. Signalled all at once, LibreOffice's launcher can stay behind with its `soffice.bin` unreaped, so
    /// whatever still names this start's profile folder (unique per start) after 3 s — or at once, when
    /// unoserver is already gone — is killed.
    func stop() async {
        let profile = self.profile
        let listener = process
        process = nil
        let pids = Self.processes(mentioning: profile.path)
        if let listener, !listener.hasExited {
            listener.signal(SIGTERM)
            for _ in 0..<30 where pids.contains(where: Self.isRunning) {
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        for pid in pids where Self.isRunning(pid) { kill(pid, SIGKILL) }
        if profile != profileBase {
            try? FileManager.default.removeItem(at: profile)
            try? FileManager.default.removeItem(at: profile.appendingPathExtension("log"))
        }
    }

    /// Whether `pid` is a process that has not ended: a zombie (ended, not yet reaped by its parent) has not
    /// gone from /proc, and `kill(pid, 0)` still succeeds for it.
    static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }

    /// Process ids (from /proc) whose command line contains `text`.
    static func processes(mentioning text: String) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let own = getpid()
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), pid != own,
                let raw = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { return nil }
            let command = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return command.contains(text) ? pid : nil
        }
    }

    /// Kills the listener as a crash would (tests: the next conversion must start a new one).
    func crashForTesting() {
        process?.signal(SIGKILL)
    }

    struct HTTPClientTimeout: Error {}

    private func post(_ body: String, timeout: Duration) async throws -> String {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/xml")
        do {
            let reply = try await OutgoingHTTP().send(
                .POST, "http://127.0.0.1:\(port)/RPC2", headers: headers, body: Data(body.utf8),
                timeout: .seconds(timeout.components.seconds))
            return String(decoding: reply.body, as: UTF8.self)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw HTTPClientTimeout()
        }
    }

}

/// Starts LibreOffice with the worker (so the first document does not wait for it) and stops it on shutdown.
struct OfficeService: Service {
    let converter: OfficeConverter
    let logger: Logger

    func run() async throws {
        if await converter.isConfigured, converter.settings.startAtBoot {
            do {
                try await converter.ensureRunning()
            } catch {
                logger.warning("LibreOffice did not start; documents will retry", metadata: ["error": "\(error)"])
            }
        }
        try? await gracefulShutdown()
        await converter.stop()
    }
}

/// Just enough XML-RPC for unoserver: a method call with scalar, nil and array parameters, and faults.
enum XMLRPC {
    indirect enum Value {
        case string(String)
        case bool(Bool)
        case `nil`
        case array([Value])

        var xml: String {
            switch self {
            case .string(let text): "<value><string>\(escape(text))</string></value>"
            case .bool(let flag): "<value><boolean>\(flag ? 1 : 0)</boolean></value>"
            case .nil: "<value><nil/></value>"
            case .array(let items): "<value><array><data>\(items.map(\.xml).joined())</data></array></value>"
            }
        }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static func call(_ method: String, _ parameters: [Value]) -> String {
        "<?xml version=\"1.0\"?><methodCall><methodName>\(method)</methodName><params>"
            + parameters.map { "<param>\($0.xml)</param>" }.joined() + "</params></methodCall>"
    }

    /// The fault string of a fault response, or nil.
    static func fault(in reply: String) -> String? {
        guard reply.contains("<fault>") else { return nil }
        guard let range = reply.range(of: "<name>faultString</name>") else { return "fault" }
        let rest = reply[range.upperBound...]
        guard let start = rest.range(of: "<string>"), let end = rest.range(of: "</string>") else { return "fault" }
        return String(rest[start.upperBound..<end.lowerBound])
    }
}
