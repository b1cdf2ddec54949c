import Core
import Foundation
import Testing

struct ConfigTests {
    @Test func databaseURLIsParsed() throws {
        let settings = try DatabaseSettings(url: "postgres://app:p%40ss@db.example:6543/studio?sslmode=require")
        #expect(
            settings
                == DatabaseSettings(
                    host: "db.example", port: 6543, username: "app", password: "p@ss", database: "studio", tls: .require
                ))
    }

    @Test(arguments: [
        "mysql://a@b/c", "postgres://host/db", "postgres://u@host", "not a url", "postgres://u@h/d?sslmode=maybe",
    ])
    func malformedDatabaseURLNamesTheKeyOnly(raw: String) {
        let error = #expect(throws: ConfigError.self) { try DatabaseSettings(url: raw) }
        #expect(error?.key == "DATABASE_URL")
        #expect(error?.description.contains(raw) == false)
    }

    @Test func redisURLIsParsedAndTLSIsRefusedClearly() throws {
        #expect(
            try RedisSettings(url: "redis://:pw@cache:6380/3")
                == RedisSettings(host: "cache", port: 6380, password: "pw", database: 3))
        let error = #expect(throws: ConfigError.self) { try RedisSettings(url: "rediss://cache:6379") }
        #expect(error?.reason.contains("TLS") == true)
    }

    @Test func missingAndInvalidSettingsStopWithTheKey() {
        #expect(throws: ConfigError.missing("DATABASE_URL")) { try DatabaseSettings(ConfigSource([:])) }
        let shortSecret = #expect(throws: ConfigError.self) { try JWTSettings(ConfigSource(["JWT_SECRET": "short"])) }
        #expect(shortSecret?.key == "JWT_SECRET")
        let port = #expect(throws: ConfigError.self) {
            try CommonSettings(ConfigSource(["PORT": "99999"]), defaultPort: 1)
        }
        #expect(port?.key == "PORT")
    }

    @Test func dotEnvLinesAreUnderstood() {
        let parsed = ConfigSource.parseDotEnv(
            """
            # comment
            export A=1
            B = "two words"
            C='x#y'
            D=plain # trailing comment
            broken line
            """)
        #expect(parsed.map { "\($0.0)=\($0.1)" } == ["A=1", "B=two words", "C=x#y", "D=plain"])
    }

    @Test func environmentWinsOverDotEnv() throws {
        let path = "/tmp/aistudio-dotenv-\(UInt32.random(in: 0...UInt32.max))"
        try "PORT=1111\nLOG_LEVEL=debug\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }

        let local = ConfigSource.load(environment: ["PORT": "2222"], dotEnvPath: path)
        let prod = ConfigSource.load(environment: ["ENV": "prod"], dotEnvPath: path)

        #expect(local["PORT"] == "2222" && local["LOG_LEVEL"] == "debug")
        #expect(prod["LOG_LEVEL"] == nil)
    }
}
