import Foundation
import Logging
import NIOHTTP1

/// Sends e-mail: SES on AWS, a folder of `.eml` files locally.
public protocol Mailer: Sendable {
    func send(_ message: MailMessage) async throws
}

/// Local mode: every message becomes an `.eml` file in `directory` (with a `.json` note holding the
/// sign-in link and code for the dev mailbox), and its link is logged.
public struct OutboxMailer: Mailer {
    public let directory: URL
    public let from: String
    let logger: Logger

    /// What the dev mailbox lists for one message.
    public struct Entry: Codable, Sendable, Equatable {
        public let file: String
        public let to: String
        public let subject: String
        public let sentAt: Date
        public let notes: [String: String]

        enum CodingKeys: String, CodingKey {
            case file, to, subject, notes
            case sentAt = "sent_at"
        }
    }

    public init(directory: URL, from: String, logger: Logger) {
        self.directory = directory
        self.from = from
        self.logger = logger
    }

    public func send(_ message: MailMessage) async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let now = Date()
        let base = "\(Int(now.timeIntervalSince1970 * 1000))-\(UUID().uuidString.prefix(8).lowercased())"
        try Data(message.mime(from: from, date: now).utf8).write(
            to: directory.appendingPathComponent(base + ".eml"), options: .atomic)
        let entry = Entry(
            file: base + ".eml", to: message.to, subject: message.subject, sentAt: now, notes: message.devNotes)
        try JSONEncoder.studio.encode(entry).write(
            to: directory.appendingPathComponent(base + ".json"), options: .atomic)
        var metadata: Logger.Metadata = ["file": .string(entry.file), "to": .string(message.to)]
        for (key, value) in message.devNotes { metadata["dev_\(key)"] = .string(value) }
        logger.notice("mail written to the local outbox", metadata: metadata)
    }

    /// The newest messages first.
    public func recent(limit: Int = 20) throws -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return try names.filter { $0.hasSuffix(".json") }.sorted(by: >).prefix(limit).map { name in
            try JSONDecoder.studio.decode(Entry.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
        }
    }
}

/// SES v2 `SendEmail` (restJson1), signed with our SigV4 signer under the name `ses`.
public struct SESMailer: Mailer {
    public let region: String
    public let endpoint: String
    public let from: String
    private let credentials: AWSCredentialsProvider
    private let http: OutgoingHTTP

    public init(
        region: String, from: String, endpoint: String? = nil, credentials: AWSCredentialsProvider,
        http: OutgoingHTTP = OutgoingHTTP()
    ) {
        self.region = region
        self.from = from
        self.endpoint = endpoint ?? "https://email.\(region).amazonaws.com"
        self.credentials = credentials
        self.http = http
    }

    public struct Failure: Error, CustomStringConvertible {
        public let type: String
        public let status: Int
        public var description: String { "SES answered \(status) \(type)" }
    }

    public func send(_ message: MailMessage) async throws {
        let content: [String: Any] = [
            "Simple": [
                "Subject": ["Data": message.subject, "Charset": "UTF-8"],
                "Body": [
                    "Text": ["Data": message.text, "Charset": "UTF-8"],
                    "Html": ["Data": message.html, "Charset": "UTF-8"],
                ],
            ]
        ]
        let body = try JSONSerialization.data(
            withJSONObject: [
                "FromEmailAddress": from, "Destination": ["ToAddresses": [message.to]], "Content": content,
            ], options: [.sortedKeys])
        let url = endpoint.trimmingSuffix("/") + "/v2/email/outbound-emails"
        let reply = try await AWSRequest.send(
            .POST, url, body: body, contentType: "application/json", service: "ses", region: region,
            credentials: credentials, http: http)
        guard reply.status == 200 else {
            let header = reply.headers.first(name: "x-amzn-ErrorType") ?? "UnknownError"
            throw Failure(type: String(header.split(separator: ":").first ?? Substring(header)), status: reply.status)
        }
    }
}
