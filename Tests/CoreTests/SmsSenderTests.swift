import Core
import Foundation
import Logging
import Testing

struct SmsSenderTests {
    @Test func localOutboxKeepsEachMessage() async throws {
        let file = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "sms-\(UUID().uuidString)/outbox.jsonl")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let sender = OutboxSmsSender(file: file, logger: Logger(label: "t"))

        try await sender.send(to: "+962791234567", text: "رمز الدخول: 123456")
        try await sender.send(to: "+962781111111", text: "second")

        let messages = try sender.messages()
        #expect(messages.map { $0["to"] } == ["+962791234567", "+962781111111"])
        #expect(messages.first?["text"] == "رمز الدخول: 123456")
    }

    @Test func badNumbersAndProductionAreClearErrors() async throws {
        let sender = OutboxSmsSender(file: URL(fileURLWithPath: "/nonexistent/x"), logger: Logger(label: "t"))
        for bad in ["0791234567", "+96279abc", "+1", "+٩٦٢٧٩١٢٣٤٥٦٧"] {
            await #expect(throws: SmsError.invalidNumber) { try await sender.send(to: bad, text: "x") }
        }
        await #expect(throws: SmsError.notConfigured) {
            try await UnconfiguredSmsSender().send(to: "+962791234567", text: "x")
        }
        #expect(SmsError.notConfigured.appError.messageAr.contains("غير متاح"))
    }
}
