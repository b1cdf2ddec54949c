import Foundation

/// Runs ffmpeg and ffprobe (Debian's) without blocking a Swift concurrency thread.
public enum FFmpeg {
    public struct Failure: Error, CustomStringConvertible {
        public let tool: String
        public let status: Int32
        public let output: String

        public init(tool: String, status: Int32, output: String) {
            self.tool = tool
            self.status = status
            self.output = output
        }

        public var description: String { "\(tool) exited \(status): \(output.suffix(400))" }
    }

    /// A font that joins Arabic correctly (Amiri, from fonts-hosny-amiri).
    public static let arabicFont = "/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Regular.ttf"

    @discardableResult
    public static func run(_ arguments: [String], tool: String = "ffmpeg", timeout: Duration = .seconds(120))
        async throws
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
    public static func duration(of file: URL) async throws -> Double {
        let text = try await run(
            ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file.path], tool: "ffprobe",
            timeout: .seconds(30))
        guard let seconds = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Failure(tool: "ffprobe", status: 0, output: text)
        }
        return seconds
    }

    /// Whether ffprobe can read a picture or a video stream with a size out of the file: a file that only
    /// looks like an image or a video by its first bytes fails here.
    public static func hasDecodablePicture(_ file: URL) async -> Bool {
        guard
            let text = try? await run(
                [
                    "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_type,width,height",
                    "-of", "csv=p=0", file.path,
                ], tool: "ffprobe", timeout: .seconds(30))
        else { return false }
        let fields = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",")
        return fields.count == 3 && fields[0] == "video" && (Int(fields[1]) ?? 0) > 0 && (Int(fields[2]) ?? 0) > 0
    }
}
