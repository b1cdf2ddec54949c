import Core
import Foundation
import Logging

/// Saves a chat turn into the history once the answer is known (also a partial one: nothing the
/// user wrote is lost when a provider breaks off).
struct ConversationRecorder: Sendable {
    let conversations: ConversationRepository
    let userID: UUID
    /// The conversation the request continues, or nil to start one titled after the question.
    let conversationID: UUID?
    let question: String
    let logger: Logger

    /// Saves the turn with the call's usage row in one statement; a failure here is the settlement's
    /// failure (the row is what bills the call), so it is thrown, not logged and passed over.
    func record(answer: String, model: String, usage: QuotaSettlement.UsageRow) async throws -> UUID? {
        try await conversations.record(
            userID: userID, conversationID: conversationID, title: ConversationRepository.title(from: question),
            question: question, answer: answer, model: model, usage: usage)
    }

    /// Returns the conversation id, or nil when saving failed (the answer itself is not affected).
    func record(answer: String, model: String) async -> UUID? {
        do {
            return try await conversations.record(
                userID: userID, conversationID: conversationID, title: ConversationRepository.title(from: question),
                question: question, answer: answer, model: model)
        } catch {
            logger.error("chat turn not saved", metadata: ["error": "\(error)"])
            return conversationID
        }
    }
}
