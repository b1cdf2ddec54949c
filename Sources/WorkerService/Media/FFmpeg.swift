import Foundation

/// Runs ffmpeg and ffprobe (Debian's) without blocking a Swift concurrency thread.
enum FFmpeg {
    struct Failure: Error, CustomStringConvertible {
        let tool: String
        let status: Int32
        let output: String
        var description: String { "\(tool) exited \(status): \(output.suffix(400))" }
    }

    /// A font that joins Arabic correctly (Amiri, from fonts-hosny-amiri).
    static let arabicFont = "/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Regular.ttf"

    @discardableResult
    static func run(_ arguments: [String], tool: String = "ffmpeg", timeout: Duration = .seconds(120)) async throws
        -> String
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(tool)")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            let pid = process.processIdentifier
            Task {
                try? await Task.sleep(for: timeout)
                if process.isRunning { kill(pid, SIGKILL) }
            }
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard status == 0 else { throw Failure(tool: tool, status: status, output: text) }
        return text
    }

    /// The container's duration in seconds.
    static func duration(of file: URL) async throws -> Double {
        let text = try await run(
            ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file.path], tool: "ffprobe",
            timeout: .seconds(30))
        guard let seconds = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Failure(tool: "ffprobe", status: 0, output: text)
        }
        return seconds
    }
}
