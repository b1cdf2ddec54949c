import Core
import Foundation

/// The local demo: a reply composed on this machine, streamed word by word, so the studio works
/// with no provider key. Labelled "demo" in the catalogue and metered like the others.
struct DemoChatProvider: ChatProvider {
    let name = "demo"
    /// Pause between words, so the stream looks like one in the page (zero in tests).
    let wordDelay: Duration

    init(wordDelay: Duration = .milliseconds(15)) {
        self.wordDelay = wordDelay
    }

    static func reply(to request: ChatRequest) -> String {
        let question = request.messages.last { $0.role == "user" }?.content ?? ""
        let isArabic =
            question.unicodeScalars.filter { (0x0600...0x06FF).contains($0.value) }.count * 2 >= question.count
        let excerpt = String(question.prefix(80))
        if isArabic {
            return "هذا ردّ تجريبي من الاستوديو يعمل دون اتصال بأي مزوّد. سألتَ: «\(excerpt)». "
                + "عند إضافة مفتاح OpenAI أو Anthropic أو Google تصل الإجابات من النموذج الذي تختاره."
        }
        return
            "This is a demo reply from the studio, composed offline without any provider. You asked: \"\(excerpt)\". "
            + "Add an OpenAI, Anthropic or Google key and answers come from the model you pick."
    }

    /// Token counts the demo reports: one per 3 UTF-8 bytes, a fair figure for Arabic and English.
    static func tokens(_ text: String) -> Int { max(1, (text.utf8.count + 2) / 3) }

    func stream(_ request: ChatRequest) async throws -> AsyncThrowingStream<ChatEvent, any Error> {
        let words = Self.reply(to: request).split(separator: " ", omittingEmptySubsequences: false)
        let input = Self.tokens((request.system ?? "") + request.messages.map(\.content).joined())
        let delay = wordDelay
        let limit = request.maxOutputTokens
        return AsyncThrowingStream { continuation in
            let task = Task {
                var produced = 0
                var sent = ""
                for (index, word) in words.enumerated() {
                    let piece = index == 0 ? String(word) : " " + word
                    if produced + Self.tokens(piece) > limit { break }
                    produced += Self.tokens(piece)
                    sent += piece
                    continuation.yield(.text(piece))
                    if delay > .zero { try await Task.sleep(for: delay) }
                }
                continuation.yield(.usage(input: input, output: Self.tokens(sent)))
                continuation.yield(
                    .finished(reason: sent.count < words.joined(separator: " ").count ? "length" : "stop"))
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
