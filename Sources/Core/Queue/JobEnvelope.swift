import Foundation

/// What travels on a queue: the kind, its JSON payload, the trace it belongs to, and how many
/// attempts have already failed.
public struct JobEnvelope: Codable, Sendable, Equatable {
    /// Stable across retries; for user-visible jobs it is the `jobs` row id.
    public let id: String
    public let kind: JobKind
    public let payload: String
    public let traceparent: String?
    public var attempt: Int
    public var lastError: String?
    public let enqueuedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, payload, traceparent, attempt
        case lastError = "last_error"
        case enqueuedAt = "enqueued_at"
    }

    public init(
        id: String, kind: JobKind, payload: String, traceparent: String?, attempt: Int = 0, lastError: String? = nil,
        enqueuedAt: Date = Date()
    ) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.traceparent = traceparent
        self.attempt = attempt
        self.lastError = lastError
        self.enqueuedAt = enqueuedAt
    }

    /// Decodes the payload as `P`.
    public func decodePayload<P: Decodable>(_ type: P.Type) throws -> P {
        do {
            return try JSONDecoder.studio.decode(P.self, from: Data(payload.utf8))
        } catch {
            throw JobFailure.permanent("payload of \(kind.rawValue) cannot be read: \(error)")
        }
    }

    public func encoded() throws -> String {
        String(decoding: try JSONEncoder.studio.encode(self), as: UTF8.self)
    }

    static func decode(_ text: String) throws -> JobEnvelope {
        try JSONDecoder.studio.decode(JobEnvelope.self, from: Data(text.utf8))
    }
}

/// How a handler says that retrying is pointless.
public enum JobFailure: Error, CustomStringConvertible {
    /// Will fail the same way every time (bad payload, missing row): dead-letter at once.
    case permanent(String)

    public var description: String {
        switch self {
        case .permanent(let reason): reason
        }
    }
}

extension JSONEncoder {
    /// ISO-8601 dates and sorted keys: the encoding of everything the studio stores as JSON.
    public static var studio: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    public static var studio: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
