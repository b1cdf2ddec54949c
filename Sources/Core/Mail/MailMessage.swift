import Foundation

/// An e-mail with a plain-text and an HTML body, both UTF-8.
public struct MailMessage: Sendable, Equatable {
    public let to: String
    public let subject: String
    public let text: String
    public let html: String
    /// Not part of the mail: what the local outbox shows a developer (the sign-in link and code).
    public let devNotes: [String: String]

    public init(to: String, subject: String, text: String, html: String, devNotes: [String: String] = [:]) {
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.devNotes = devNotes
    }

    /// The message as RFC 5322 / MIME text (`.eml`): multipart/alternative, base64 bodies,
    /// RFC 2047 encoded subject so Arabic survives every mail client.
    public func mime(from: String, date: Date = Date(), messageID: String = UUID().uuidString) -> String {
        let boundary = "studio-\(messageID.prefix(8))"
        let wrap = { (data: Data) in
            data.base64EncodedString().chunked(76).joined(separator: "\r\n")
        }
        let lines = [
            "From: \(from)",
            "To: \(to)",
            "Subject: =?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?=",
            "Date: \(Self.rfc2822(date))",
            "Message-ID: <\(messageID)@aistudio>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
            "",
            wrap(Data(text.utf8)),
            "--\(boundary)",
            "Content-Type: text/html; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
            "",
            wrap(Data(html.utf8)),
            "--\(boundary)--",
            "",
        ]
        return lines.joined(separator: "\r\n")
    }

    static func rfc2822(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}

extension String {
    func chunked(_ size: Int) -> [String] {
        var out: [String] = []
        var index = startIndex
        while index < endIndex {
            let end = self.index(index, offsetBy: size, limitedBy: endIndex) ?? endIndex
            out.append(String(self[index..<end]))
            index = end
        }
        return out
    }
}
