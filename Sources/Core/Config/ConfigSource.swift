import Foundation

/// The raw settings of a process: its environment, with `.env` underneath it in local mode.
public struct ConfigSource: Sendable {
    public private(set) var values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The process environment; in local mode (`ENV` unset or `local`) a `.env` file fills the gaps.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment, dotEnvPath: String = ".env"
    ) -> ConfigSource {
        var values = environment
        let mode = environment["ENV"] ?? "local"
        if mode == "local", let text = try? String(contentsOfFile: dotEnvPath, encoding: .utf8) {
            for (key, value) in parseDotEnv(text) where values[key] == nil { values[key] = value }
        }
        return ConfigSource(values)
    }

    /// `KEY=value` lines; `#` comments, `export ` prefixes and single or double quotes are understood.
    public static func parseDotEnv(_ text: String) -> [(String, String)] {
        var out: [(String, String)] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingWhitespace()
            var value = line[line.index(after: eq)...].trimmingWhitespace()
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmingWhitespace()
            }
            if !key.isEmpty { out.append((key, value)) }
        }
        return out
    }

    public subscript(key: String) -> String? { values[key].flatMap { $0.isEmpty ? nil : $0 } }

    public func string(_ key: String) throws -> String {
        guard let value = self[key] else { throw ConfigError.missing(key) }
        return value
    }

    public func string(_ key: String, default fallback: String) -> String { self[key] ?? fallback }

    public func int(_ key: String, default fallback: Int, range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        guard let raw = self[key] else { return fallback }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigError(key: key, reason: "must be a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    public func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let raw = self[key]?.lowercased() else { return fallback }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError(key: key, reason: "must be true or false")
        }
    }

    public func url(_ key: String, default fallback: String? = nil) throws -> URL {
        guard let raw = self[key] ?? fallback else { throw ConfigError.missing(key) }
        guard let url = URL(string: raw), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil
        else { throw ConfigError(key: key, reason: "must be an http(s) URL") }
        return url
    }

    mutating func set(_ key: String, _ value: String) { values[key] = value }
}
