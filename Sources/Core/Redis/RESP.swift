import NIOCore

/// The Redis protocol (RESP2) on the wire: commands out as arrays of bulk strings, replies in as
/// typed values. <https://redis.io/docs/latest/develop/reference/protocol-spec/>
enum RESP {
    /// Appends one command (`*N`, then `$len` and the bytes of each argument) to `buffer`.
    static func write(_ arguments: [String], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("*")
        writeDecimal(arguments.count, into: &buffer)
        for argument in arguments {
            buffer.writeStaticString("$")
            writeDecimal(argument.utf8.count, into: &buffer)
            buffer.writeString(argument)
            buffer.writeStaticString("\r\n")
        }
    }

    /// Writes `value` in ASCII digits and CRLF (a number this short is a small String: no allocation).
    private static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        buffer.writeString(String(value))
        buffer.writeStaticString("\r\n")
    }

    /// A reply that breaks the protocol: the connection cannot be trusted after it.
    struct ProtocolError: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads one whole reply from the front of `buffer`, or returns nil (and leaves `buffer` as it
    /// was) when its end has not arrived yet.
    static func read(_ buffer: inout ByteBuffer) throws -> RedisValue? {
        var copy = buffer
        guard let value = try parse(&copy) else { return nil }
        buffer = copy
        return value
    }

    private static func parse(_ buffer: inout ByteBuffer) throws -> RedisValue? {
        guard let marker = buffer.readInteger(as: UInt8.self), let line = readLine(&buffer) else { return nil }
        switch marker {
        case UInt8(ascii: "+"):
            return .status(line)
        case UInt8(ascii: "-"):
            return .error(line)
        case UInt8(ascii: ":"):
            guard let number = Int64(line) else { throw ProtocolError(description: "bad integer reply \(line)") }
            return .integer(number)
        case UInt8(ascii: "$"):
            guard let length = Int(line), length >= -1 else {
                throw ProtocolError(description: "bad bulk length \(line)")
            }
            if length == -1 { return .null }
            guard buffer.readableBytes >= length + 2, let bytes = buffer.readBytes(length: length) else { return nil }
            guard buffer.readInteger(as: UInt16.self) == 0x0D0A else {
                throw ProtocolError(description: "bulk string of \(length) bytes not followed by CRLF")
            }
            return .bulk(bytes)
        case UInt8(ascii: "*"):
            guard let count = Int(line), count >= -1 else {
                throw ProtocolError(description: "bad array length \(line)")
            }
            if count == -1 { return .null }
            var items: [RedisValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count {
                guard let item = try parse(&buffer) else { return nil }
                items.append(item)
            }
            return .array(items)
        default:
            throw ProtocolError(description: "unknown reply type \(marker)")
        }
    }

    /// The text up to the next CRLF, which is consumed too; nil when no CRLF has arrived.
    private static func readLine(_ buffer: inout ByteBuffer) -> String? {
        let view = buffer.readableBytesView
        guard let cr = view.firstIndex(of: UInt8(ascii: "\r")), cr + 1 < view.endIndex else { return nil }
        let line = buffer.readString(length: cr - view.startIndex)
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }
}

/// Cuts the byte stream from Redis into replies.
struct RESPDecoder: ByteToMessageDecoder {
    typealias InboundOut = RedisValue

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let value = try RESP.read(&buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(value))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        try decode(context: context, buffer: &buffer)
    }
}
