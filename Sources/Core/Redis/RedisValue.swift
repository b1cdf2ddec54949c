/// A Redis reply, typed.
public enum RedisValue: Sendable, Equatable {
    case null
    case status(String)
    case integer(Int64)
    case bulk([UInt8])
    case array([RedisValue])
    case error(String)

    public var string: String? {
        switch self {
        case .status(let s), .error(let s): s
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let i): String(i)
        default: nil
        }
    }

    public var int: Int64? {
        switch self {
        case .integer(let i): i
        case .bulk, .status: string.flatMap { Int64($0) }
        default: nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var isNull: Bool { self == .null }
}

public enum RedisError: Error, Equatable, CustomStringConvertible {
    /// The connection could not be made or broke; the next call reconnects.
    case connection(String)
    /// Redis answered with an error reply (`ERR …`, `NOSCRIPT …`, `BUSYGROUP …`).
    case server(String)
    /// The client was shut down.
    case closed

    public var description: String {
        switch self {
        case .connection(let message): "redis connection: \(message)"
        case .server(let message): "redis: \(message)"
        case .closed: "redis client is closed"
        }
    }
}
