import Foundation
import Logging

/// Sends one-time codes by SMS. No provider is contracted yet, so no endpoint uses it; the local
/// outbox lets the sign-in flow be built and tested, and production refuses clearly.
public protocol SmsSender: Sendable {
    func send(to phone: String, text: String) async throws
}

public enum SmsError: Error, Equatable, CustomStringConvertible {
    case notConfigured
    case invalidNumber

    public var description: String {
        switch self {
        case .notConfigured: "SMS is not configured: no provider has been set up"
        case .invalidNumber: "the phone number is not in international format (+9627…)"
        }
    }

    public var appError: AppError {
        switch self {
        case .notConfigured:
            AppError(
                code: "sms_not_configured", status: .serviceUnavailable,
                message: "Sign-in by SMS is not available yet. Use your e-mail address.",
                messageAr: "الدخول عبر الرسائل القصيرة غير متاح بعد. استخدم بريدك الإلكتروني.")
        case .invalidNumber:
            .validation(
                "Enter the phone number in international format, e.g. +962791234567.",
                "أدخل رقم الهاتف بالصيغة الدولية، مثل ‎+962791234567.", field: "phone")
        }
    }

    /// E.164: a plus sign and 8 to 15 digits.
    public static func check(_ phone: String) throws {
        guard phone.hasPrefix("+"), (8...15).contains(phone.count - 1), phone.dropFirst().allSatisfy(\.isNumber),
            phone.dropFirst().allSatisfy(\.isASCII)
        else { throw SmsError.invalidNumber }
    }
}

/// Local mode: each message is appended as a JSON line to a file, and logged.
public struct OutboxSmsSender: SmsSender {
    public let file: URL
    let logger: Logger

    public init(file: URL, logger: Logger) {
        self.file = file
        self.logger = logger
    }

    public func send(to phone: String, text: String) async throws {
        try SmsError.check(phone)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let line =
            try JSONEncoder.studio.encode(["to": phone, "text": text, "sent_at": Date().ISO8601Format()])
            + Data("\n".utf8)
        if let handle = try? FileHandle(forWritingTo: file) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } else {
            try line.write(to: file)
        }
        logger.notice("sms written to the local outbox", metadata: ["to": .string(phone)])
    }

    /// Every message written so far, oldest first.
    public func messages() throws -> [[String: String]] {
        guard let data = try? Data(contentsOf: file) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map {
            try JSONDecoder().decode([String: String].self, from: Data($0))
        }
    }
}

/// Production until a provider exists: every send fails with `SmsError.notConfigured`.
public struct UnconfiguredSmsSender: SmsSender {
    public init() {}
    public func send(to phone: String, text: String) async throws { throw SmsError.notConfigured }
}
