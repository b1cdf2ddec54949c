import CSpawn
import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// A program started with `posix_spawn` and waited for by its pid on a thread of its own.
///
/// Foundation's `Process` on Linux learns that a child ended when a socket the child inherited is closed.
/// A program that another thread starts at the same instant can inherit that socket too, and then the end
/// is not seen until that other program ends — for a long-lived server, never. Here every descriptor of
/// ours is close-on-exec, the child closes all but its standard three, and the exit is read with `waitid`.
public final class ChildProcess: Sendable {
    public enum Output: Sendable {
        /// Standard output and error to /dev/null.
        case discard
        /// Both into this file, created or emptied first.
        case file(String)
        /// Both kept in memory (up to `captureLimit` bytes), for `output`.
        case capture
    }

    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        public var succeeded: Bool { self == .exited(0) }
        public var description: String {
            switch self {
            case .exited(let code): "exit status \(code)"
            case .signalled(let signal): "signal \(signal)"
            }
        }
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public let executable: String
        public let code: Int32
        public var description: String { "could not start \(executable): \(String(cString: strerror(code)))" }
    }

    /// The most output kept in memory; the rest is read and dropped, so the child never blocks on a full pipe.
    public static let captureLimit = 16 << 20

    public let pid: pid_t
    private let state = NIOLockedValueBox(State())

    private struct State {
        /// Set, under the lock, before the child is reaped: until then `pid` is still ours to signal.
        var exited = false
        var termination: Termination?
        var captured: [UInt8] = []
        var waiters: [@Sendable (Termination) -> Void] = []
    }

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `executable` (an absolute path) with `arguments`, in a process group of its own, with
    /// standard input from /dev/null and default signal handling.
    public static func start(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, output: Output = .discard
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var pipe: [Int32] = [-1, -1]
        switch output {
        case .discard:
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .capture:
            guard cspawn_pipe_cloexec(&pipe) == 0 else { throw SpawnError(executable: executable, code: errno) }
            posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, pipe[1], 2)
        }
        // After the dup2s (actions run in order); where glibc lacks it, our own descriptors are close-on-exec.
        let closing = cspawn_file_actions_addclosefrom(&actions, 3)
        if closing != 0 && closing != ENOSYS {
            for end in pipe where end >= 0 { close(end) }
            throw SpawnError(executable: executable, code: closing)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let variables = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for pointer in variables ?? [] { free(pointer) } }

        var pid: pid_t = 0
        let status =
            if let variables {
                posix_spawn(&pid, executable, &actions, &attributes, argv, variables)
            } else {
                posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
            }
        if pipe[1] >= 0 { close(pipe[1]) }
        guard status == 0 else {
            if pipe[0] >= 0 { close(pipe[0]) }
            throw SpawnError(executable: executable, code: status)
        }
        let child = ChildProcess(pid: pid)
        let thread = Thread { [reading = pipe[0]] in child.reap(reading: reading) }
        thread.name = "child \(pid)"
        thread.start()
        return child
    }

    /// Runs to the end, keeping its output; killed (with its process group) after `timeout` or when the
    /// calling task is cancelled.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> (termination: Termination, output: String) {
        let child = try start(executable, arguments, environment: environment, output: .capture)
        let timer = Task {
            try await Task.sleep(for: timeout)
            child.signal(SIGKILL, group: true)
        }
        defer { timer.cancel() }
        let termination = await withTaskCancellationHandler {
            await child.wait()
        } onCancel: {
            child.signal(SIGKILL, group: true)
        }
        return (termination, child.output)
    }

    /// The first executable file called `name` in a directory of `PATH`.
    public static func onPath(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Whether the child has ended (it may not be reaped yet).
    public var hasExited: Bool { state.withLockedValue { $0.exited } }

    /// What the child wrote, with `.capture`; complete once `wait()` has returned.
    public var output: String { String(decoding: state.withLockedValue { $0.captured }, as: UTF8.self) }

    /// Sends `signal` to the child, or to its whole process group, unless it has already ended.
    public func signal(_ signal: Int32, group: Bool = false) {
        state.withLockedValue { state in
            guard !state.exited else { return }
            _ = kill(group ? -pid : pid, signal)
        }
    }

    /// Waits until the child has ended and been reaped.
    public func wait() async -> Termination {
        await withCheckedContinuation { continuation in
            whenTerminated { continuation.resume(returning: $0) }
        }
    }

    /// Blocks the calling thread until the child has ended, at most `timeout`; nil if it is still running.
    public func waitBlocking(timeout: Duration) -> Termination? {
        let semaphore = DispatchSemaphore(value: 0)
        whenTerminated { _ in semaphore.signal() }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        _ = semaphore.wait(timeout: .now() + seconds)
        return state.withLockedValue { $0.termination }
    }

    private func whenTerminated(_ action: @escaping @Sendable (Termination) -> Void) {
        let done = state.withLockedValue { state -> Termination? in
            if let termination = state.termination { return termination }
            state.waiters.append(action)
            return nil
        }
        if let done { action(done) }
    }

    /// On the child's own thread: drains its output, waits for its end, and reaps it.
    private func reap(reading: Int32) {
        if reading >= 0 {
            var kept: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(reading, $0.baseAddress, $0.count) }
                if count > 0 {
                    if kept.count < Self.captureLimit {
                        kept.append(contentsOf: buffer[0..<min(count, Self.captureLimit - kept.count)])
                    }
                } else if count == 0 || errno != EINTR {
                    break
                }
            }
            close(reading)
            state.withLockedValue { $0.captured = kept }
        }
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        state.withLockedValue { $0.exited = true }
        var status: Int32 = 0
        var reaped: pid_t
        repeat { reaped = waitpid(pid, &status, 0) } while reaped == -1 && errno == EINTR
        // Decoded by hand: the W… macros are not imported into Swift. -1 if the status could not be read.
        let termination: Termination =
            reaped != pid
            ? .exited(-1) : (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
        let waiters = state.withLockedValue { state in
            state.termination = termination
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter(termination) }
    }
}
