import Foundation

/// Server-Sent Events decoded incrementally from raw bytes. Lines are split on bytes before any
/// UTF-8 decoding, so a character split across network chunks always comes out whole.
struct SSEDecoder {
    struct Event: Equatable {
        var event: String?
        var data: String
    }

    private var buffer: [UInt8] = []
    private var eventName: String?
    private var dataLines: [String] = []

    /// Feeds bytes; returns the events they complete.
    mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [Event] where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        var events: [Event] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(buffer[..<newline])
            buffer.removeFirst(newline + 1)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if let event = consume(line: String(decoding: line, as: UTF8.self)) { events.append(event) }
        }
        return events
    }

    /// Whatever a stream that ended without a final blank line still holds.
    mutating func finish() -> [Event] {
        var events = feed([UInt8(ascii: "\n")])
        if let event = consume(line: "") { events.append(event) }
        return events
    }

    private mutating func consume(line: String) -> Event? {
        if line.isEmpty {
            defer {
                eventName = nil
                dataLines = []
            }
            guard !dataLines.isEmpty else { return nil }
            return Event(event: eventName, data: dataLines.joined(separator: "\n"))
        }
        if line.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = Substring(line)
            value = ""
        }
        switch field {
        case "event": eventName = String(value)
        case "data": dataLines.append(String(value))
        default: break
        }
        return nil
    }
}
