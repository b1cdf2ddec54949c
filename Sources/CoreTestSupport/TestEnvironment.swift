import Core
import Foundation

/// What `scripts/test.sh` provides: a throwaway PostgreSQL, Redis and AWS emulator.
public enum TestEnvironment {
    public struct Missing: Error, CustomStringConvertible {
        public let variable: String
        public var description: String { "\(variable) is not set: run the tests through scripts/test.sh" }
    }

    static func value(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw Missing(variable: name)
        }
        return value
    }

    /// An administrative connection to the throwaway cluster (`postgres` database).
    public static func databaseSettings() throws -> DatabaseSettings {
        var settings = try DatabaseSettings(url: value("TEST_DATABASE_URL"), key: "TEST_DATABASE_URL")
        settings.keepConnectionsOpen = false
        return settings
    }

    public static func redisSettings(keyPrefix: String = "") throws -> RedisSettings {
        try RedisSettings(url: value("TEST_REDIS_URL"), key: "TEST_REDIS_URL", keyPrefix: keyPrefix)
    }

    /// The AWS emulator (moto in server mode).
    public static func awsEndpoint() throws -> String { try value("TEST_AWS_ENDPOINT") }

    /// A 40-byte secret: jwt-kit traps on HS256 keys shorter than 32 bytes.
    public static let jwtSecret = "test-secret-for-session-tokens-0123456789"
}

extension TestEnvironment {
    /// The settings a service would read, pointing at `database` and the test Redis.
    public static func serviceSource(database: DatabaseSettings, extra: [String: String] = [:]) throws -> ConfigSource {
        let password = database.password.map { ":\($0)" } ?? ""
        var values = [
            "ENV": "test",
            "PORT": "0",
            "DATABASE_URL":
                "postgres://\(database.username)\(password)@\(database.host):\(database.port)/\(database.database)?sslmode=disable",
            "REDIS_URL": try value("TEST_REDIS_URL"),
            "REDIS_KEY_PREFIX": "test:\(UUID().uuidString.lowercased()):",
            "JWT_SECRET": jwtSecret,
            "DATABASE_POOL_KEEP_OPEN": "false",
        ]
        values.merge(extra) { _, new in new }
        return ConfigSource(values)
    }
}
