import CHiredis
import Foundation

/// One blocking hiredis context. Not thread-safe: `RedisClient` keeps each behind a mutex and
/// drives it from its own thread pool, never from an event loop.
final class RedisConnection {
    private var context: UnsafeMutablePointer<redisContext>

    init(settings: RedisSettings, connectTimeout: Duration, commandTimeout: Duration) throws {
        guard
            let context = redisConnectWithTimeout(settings.host, Int32(settings.port), Self.makeTimeval(connectTimeout))
        else { throw RedisError.connection("cannot allocate a context") }
        self.context = context
        // Once `context` is stored, a throw here still runs `deinit`, which frees it.
        if context.pointee.err != 0 { throw RedisError.connection(Self.errorString(context)) }
        redisSetTimeout(context, Self.makeTimeval(commandTimeout))
        if let password = settings.password {
            try expectOK(command([Array("AUTH".utf8), Array(password.utf8)]))
        }
        if settings.database != 0 {
            try expectOK(command([Array("SELECT".utf8), Array(String(settings.database).utf8)]))
        }
    }

    deinit { redisFree(context) }

    func command(_ arguments: [[UInt8]]) throws -> RedisValue {
        try withArgv(arguments) { argc, argv, lengths in
            guard let raw = redisCommandArgv(context, argc, argv, lengths) else {
                throw RedisError.connection(Self.errorString(context))
            }
            defer { freeReplyObject(raw) }
            return Self.value(raw.assumingMemoryBound(to: redisReply.self))
        }
    }

    /// Sends every command before reading any reply: one round trip for the lot.
    func pipeline(_ commands: [[[UInt8]]]) throws -> [RedisValue] {
        for arguments in commands {
            let status = withArgv(arguments) { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            guard status == REDIS_OK else { throw RedisError.connection(Self.errorString(context)) }
        }
        var replies: [RedisValue] = []
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
                throw RedisError.connection(Self.errorString(context))
            }
            replies.append(Self.value(raw.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
        }
        return replies
    }

    private func expectOK(_ value: RedisValue) throws {
        if case .error(let message) = value { throw RedisError.server(message) }
    }

    private func withArgv<T>(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) throws -> T
    ) rethrows -> T {
        let argv = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(arguments.count, 1))
        let lengths = UnsafeMutablePointer<Int>.allocate(capacity: max(arguments.count, 1))
        var buffers: [UnsafeMutablePointer<CChar>] = []
        defer {
            for buffer in buffers { buffer.deallocate() }
            argv.deallocate()
            lengths.deallocate()
        }
        for (index, argument) in arguments.enumerated() {
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(argument.count, 1))
            argument.withUnsafeBufferPointer { bytes in
                if let base = bytes.baseAddress {
                    UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: bytes.count)
                }
            }
            buffers.append(buffer)
            argv[index] = UnsafePointer(buffer)
            lengths[index] = argument.count
        }
        return try body(Int32(arguments.count), argv, UnsafePointer(lengths))
    }

    private static func value(_ reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .bulk(r.str.map { Array(UnsafeRawBufferPointer(start: $0, count: r.len)) } ?? [])
        case REDIS_REPLY_STATUS:
            return .status(
                r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: r.len), as: UTF8.self) } ?? "")
        case REDIS_REPLY_ERROR:
            return .error(
                r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: r.len), as: UTF8.self) } ?? "")
        case REDIS_REPLY_INTEGER:
            return .integer(r.integer)
        case REDIS_REPLY_ARRAY:
            var items: [RedisValue] = []
            items.reserveCapacity(r.elements)
            for index in 0..<r.elements {
                if let element = r.element[index] { items.append(value(element)) } else { items.append(.null) }
            }
            return .array(items)
        default:
            return .null
        }
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        var errstr = context.pointee.errstr
        let message = withUnsafeBytes(of: &errstr) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return message.isEmpty ? "connection lost" : message
    }

    private static func makeTimeval(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        return timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
