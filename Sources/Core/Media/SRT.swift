import Foundation

/// SubRip captions: `1\n00:00:01,000 --> 00:00:03,500\ntext…` blocks separated by blank lines.
public enum SRT {
    public struct Failure: Error, Sendable, Equatable {
        public let line: Int
    }

    public static func parse(_ text: String) throws -> [JobPayloads.VideoEdit.Caption] {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\u{FEFF}", with: "")
            .components(separatedBy: "\n")
        var captions: [JobPayloads.VideoEdit.Caption] = []
        var index = 0
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            if line.isEmpty || Int(line) != nil && index + 1 < lines.count && lines[index + 1].contains("-->") {
                index += 1
                continue
            }
            guard line.contains("-->") else { throw Failure(line: index + 1) }
            let parts = line.components(separatedBy: "-->").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let start = seconds(parts[0]),
                let end = seconds(parts[1].split(separator: " ").first.map(String.init) ?? ""), end > start
            else { throw Failure(line: index + 1) }
            index += 1
            var body: [String] = []
            while index < lines.count, !lines[index].trimmingCharacters(in: .whitespaces).isEmpty {
                body.append(lines[index])
                index += 1
            }
            captions.append(.init(start: start, end: end, text: body.joined(separator: "\n")))
        }
        return captions
    }

    /// `HH:MM:SS,mmm` (a dot also accepted) in seconds.
    static func seconds(_ text: String) -> Double? {
        let parts = text.replacingOccurrences(of: ",", with: ".").split(separator: ":")
        guard parts.count == 3, let hours = Double(parts[0]), let minutes = Double(parts[1]),
            let seconds = Double(parts[2])
        else { return nil }
        return hours * 3600 + minutes * 60 + seconds
    }
}
