import Foundation

/// Runs ffmpeg and ffprobe (Debian's) without blocking a Swift concurrency thread.
public enum FFmpeg {
    public struct Failure: Error, CustomStringConvertible {
        public let tool: String
        /// The exit status, or minus the signal that ended it (a time limit: -9).
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
        let (termination, text) = try await ChildProcess.run("/usr/bin/\(tool)", arguments, timeout: timeout)
        switch termination {
        case .exited(0): return text
        case .exited(let status): throw Failure(tool: tool, status: status, output: text)
        case .signalled(let signal): throw Failure(tool: tool, status: -signal, output: text)
        }
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

    public struct Streams: Sendable, Equatable {
        public let width: Int
        public let height: Int
        /// ffprobe's `r_frame_rate`, such as `25/1` or `30000/1001`.
        public let rate: String
        public let audio: Bool
    }

    /// The first video stream's size and frame rate, and whether the file has sound.
    public static func streams(of file: URL) async throws -> Streams {
        struct Probe: Decodable {
            struct Stream: Decodable {
                let codecType: String?
                let width: Int?
                let height: Int?
                let rFrameRate: String?
                enum CodingKeys: String, CodingKey {
                    case width, height
                    case codecType = "codec_type"
                    case rFrameRate = "r_frame_rate"
                }
            }
            let streams: [Stream]
        }
        let text = try await FFmpeg.run(
            ["-v", "error", "-show_entries", "stream=codec_type,width,height,r_frame_rate", "-of", "json", file.path],
            tool: "ffprobe", timeout: .seconds(30))
        let probe = try JSONDecoder().decode(Probe.self, from: Data(text.utf8))
        guard let video = probe.streams.first(where: { $0.codecType == "video" }), let width = video.width,
            let height = video.height, width > 0, height > 0
        else { throw FFmpeg.Failure(tool: "ffprobe", status: 0, output: text) }
        let rate = video.rFrameRate.flatMap { $0 == "0/0" ? nil : $0 } ?? "25/1"
        return Streams(
            width: width, height: height, rate: rate, audio: probe.streams.contains { $0.codecType == "audio" })
    }

    /// Whether ffprobe can read a picture or a video stream with a size out of the file: a file that only
    /// looks like an image or a video by its first bytes fails here.
    public static func hasDecodablePicture(_ file: URL) async -> Bool {
        (try? await streams(of: file)) != nil
    }
}
