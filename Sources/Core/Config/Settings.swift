import Foundation
import Logging

/// Where a process runs: on a developer's machine or in the cloud.
public enum AppEnvironment: String, Sendable {
    case local, test, prod
}

/// Settings every service reads.
public struct CommonSettings: Sendable {
    public let environment: AppEnvironment
    public let port: Int
    public let host: String
    public let logLevel: Logger.Level
    public let telemetry: TelemetrySettings

    public init(_ source: ConfigSource, defaultPort: Int) throws {
        guard let environment = AppEnvironment(rawValue: source.string("ENV", default: "local")) else {
            throw ConfigError(key: "ENV", reason: "must be one of local, test, prod")
        }
        self.environment = environment
        self.port = try source.int("PORT", default: defaultPort, range: 0...65535)
        self.host = source.string("HOST", default: environment == .prod ? "0.0.0.0" : "127.0.0.1")
        guard let level = Logger.Level(rawValue: source.string("LOG_LEVEL", default: "info").lowercased()) else {
            throw ConfigError(
                key: "LOG_LEVEL", reason: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        self.logLevel = level
        self.telemetry = try TelemetrySettings(source)
    }
}

/// `DATABASE_URL`: `postgres://user:password@host:port/database?sslmode=disable|prefer|require`.
public struct DatabaseSettings: Sendable, Equatable {
    public enum TLSMode: String, Sendable { case disable, prefer, require }
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// `DATABASE_POOL_KEEP_OPEN` (default true): the pool opens all its connections and keeps them (see
    /// `PostgresClient(settings:)`); the tests, which start dozens of short-lived pools at once, open them
    /// only as needed.
    public var keepConnectionsOpen = true

    public init(host: String, port: Int, username: String, password: String?, database: String, tls: TLSMode) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    public init(url raw: String, key: String = "DATABASE_URL") throws {
        guard let components = URLComponents(string: raw), let scheme = components.scheme,
            ["postgres", "postgresql"].contains(scheme), let host = components.host, !host.isEmpty,
            let user = components.user, !user.isEmpty
        else { throw ConfigError(key: key, reason: "must look like postgres://user:password@host:port/database") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw ConfigError(key: key, reason: "names no database") }
        let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        guard let tls = TLSMode(rawValue: sslmode == "verify-full" ? "require" : sslmode) else {
            throw ConfigError(key: key, reason: "has an unknown sslmode (use disable, prefer or require)")
        }
        self.init(
            host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 }, database: database, tls: tls)
    }

    public init(_ source: ConfigSource, key: String = "DATABASE_URL") throws {
        try self.init(url: try source.string(key), key: key)
        keepConnectionsOpen = try source.bool("DATABASE_POOL_KEEP_OPEN", default: true)
    }
}

/// `REDIS_URL`: `redis://[:password@]host:port[/db]`.
public struct RedisSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var password: String?
    public var database: Int
    /// Prepended to every key this process writes, so tests and tenants never collide.
    public var keyPrefix: String

    public init(host: String, port: Int, password: String? = nil, database: Int = 0, keyPrefix: String = "") {
        self.host = host
        self.port = port
        self.password = password
        self.database = database
        self.keyPrefix = keyPrefix
    }

    public init(url raw: String, key: String = "REDIS_URL", keyPrefix: String = "") throws {
        guard let components = URLComponents(string: raw), let scheme = components.scheme else {
            throw ConfigError(key: key, reason: "must look like redis://host:port/db")
        }
        guard scheme == "redis" else {
            throw ConfigError(key: key, reason: "must use redis:// (the studio's Redis client does not speak TLS)")
        }
        guard let host = components.host, !host.isEmpty else { throw ConfigError(key: key, reason: "names no host") }
        let path = components.path.drop(while: { $0 == "/" })
        guard let database = path.isEmpty ? 0 : Int(path), (0...15).contains(database) else {
            throw ConfigError(key: key, reason: "has a database number outside 0...15")
        }
        self.init(
            host: host, port: components.port ?? 6379, password: components.password?.removingPercentEncoding,
            database: database, keyPrefix: keyPrefix)
    }

    public init(_ source: ConfigSource) throws {
        try self.init(url: try source.string("REDIS_URL"), keyPrefix: source.string("REDIS_KEY_PREFIX", default: ""))
    }
}

/// `JWT_SECRET`: at least 32 bytes, so HS256 keys are never weak.
public struct JWTSettings: Sendable {
    public let secret: String
    public let lifetimeSeconds: Int

    public init(_ source: ConfigSource) throws {
        let secret = try source.string("JWT_SECRET")
        guard secret.utf8.count >= 32 else {
            throw ConfigError(key: "JWT_SECRET", reason: "must be at least 32 bytes long")
        }
        self.secret = secret
        self.lifetimeSeconds = try source.int(
            "SESSION_TTL_SECONDS", default: 30 * 24 * 3600, range: 60...(90 * 24 * 3600))
    }
}
