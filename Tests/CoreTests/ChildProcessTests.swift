import Core
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

struct ChildProcessTests {
    /// The descriptors a running process holds, from /proc.
    static func descriptors(of pid: pid_t) throws -> Set<Int32> {
        Set(try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").compactMap { Int32($0) })
    }

    @Test func theExitStatusAndBothStreamsComeBack() async throws {
        let (termination, output) = try await ChildProcess.run(
            "/bin/sh", ["-c", "echo 'مرحبا من عمّان'; echo to-stderr >&2; exit 3"])

        #expect(termination == .exited(3))
        #expect(!termination.succeeded)
        #expect(output.contains("مرحبا من عمّان\n"))
        #expect(output.contains("to-stderr\n"))
    }

    @Test func outputLargerThanThePipeDoesNotStopTheChild() async throws {
        let (termination, output) = try await ChildProcess.run(
            "/bin/sh", ["-c", "head -c 1000000 /dev/zero | tr '\\0' a"], timeout: .seconds(30))

        #expect(termination.succeeded)
        #expect(output.utf8.count == 1_000_000)
    }

    @Test func aChildThatOutlivesItsTimeLimitIsKilledWithItsGroup() async throws {
        let started = ContinuousClock.now
        // The shell's own child holds the pipe too: only killing the group ends the read.
        let (termination, _) = try await ChildProcess.run(
            "/bin/sh", ["-c", "sleep 30 & sleep 30; wait"], timeout: .milliseconds(300))

        #expect(termination == .signalled(SIGKILL))
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func aSignalEndsARunningChildAndNothingIsSentAfterItEnded() async throws {
        let child = try ChildProcess.start("/bin/sleep", ["30"])
        #expect(!child.hasExited)

        child.signal(SIGTERM)
        let termination = await child.wait()

        #expect(termination == .signalled(SIGTERM))
        #expect(child.hasExited)
        child.signal(SIGKILL)  // reaped: its pid may belong to someone else now, so this must do nothing
        #expect(await child.wait() == termination)
        #expect(child.waitBlocking(timeout: .seconds(1)) == termination)
    }

    @Test func aMissingProgramIsAnErrorNotAChild() throws {
        #expect(throws: ChildProcess.SpawnError.self) {
            try ChildProcess.start("/usr/bin/no-such-program-here", [])
        }
    }

    @Test func theEnvironmentAndAFileForOutputAreTheChildsOwn() async throws {
        let path = NSTemporaryDirectory() + "child-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let child = try ChildProcess.start(
            "/bin/sh", ["-c", "echo \"$GREETING\"; echo \"${HOME:-no home}\" >&2"], environment: ["GREETING": "أهلاً"],
            output: .file(path))

        #expect(await child.wait().succeeded)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "أهلاً\nno home\n")
    }

    /// The fault this type exists for: a long-lived child started while others run must hold none of our
    /// descriptors (with Foundation's `Process`, one could keep another child's end-of-life socket or the
    /// write end of its output pipe, and that child's end was never seen).
    @Test func childrenStartedAtTheSameTimeHoldOnlyTheirOwnStandardDescriptors() async throws {
        let servers = try (0..<4).map { _ in try ChildProcess.start("/bin/sleep", ["30"]) }
        defer { for server in servers { server.signal(SIGKILL) } }
        let results = try await withThrowingTaskGroup(of: ChildProcess.Termination.self) { group in
            for index in 0..<40 {
                group.addTask {
                    try await ChildProcess.run("/bin/sh", ["-c", "echo \(index)"], timeout: .seconds(20)).termination
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let late = try ChildProcess.start("/bin/sleep", ["30"])
        defer { late.signal(SIGKILL) }
        let pipeOpen = try ChildProcess.start("/bin/sleep", ["30"], output: .capture)
        defer { pipeOpen.signal(SIGKILL) }
        let witness = try ChildProcess.start("/bin/sleep", ["30"])
        defer { witness.signal(SIGKILL) }

        #expect(results.count == 40 && results.allSatisfy(\.succeeded))
        try await Task.sleep(for: .milliseconds(100))
        for child in servers + [late, pipeOpen, witness] {
            #expect(try Self.descriptors(of: child.pid) == [0, 1, 2], "pid \(child.pid)")
        }
    }
}
