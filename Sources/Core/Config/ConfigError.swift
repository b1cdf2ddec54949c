/// A setting that stops the process at boot. Its description names the key and the reason, never the value.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let key: String
    public let reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public static func missing(_ key: String) -> ConfigError {
        ConfigError(key: key, reason: "is required but not set")
    }

    public var description: String { "configuration error: \(key) \(reason)" }
}
