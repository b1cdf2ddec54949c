import Core
import Foundation
import Logging
import PostgresNIO

struct Conversation: Codable, Sendable, Equatable {
    let id: UUID
    let title: String
    let model: String?
    let createdAt: Date
    let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, title, model
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

struct StoredMessage: Codable, Sendable, Equatable {
    let id: UUID
    let role: String
    let content: String
    let model: String?
    let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, role, content, model
        case createdAt = "created_at"
    }
}

/// A user's chat history. Every query is by owner: another user's conversation does not exist.
struct ConversationRepository: Sendable {
    let client: PostgresClient
    let logger: Logger
    static let columns = "id, title, model, created_at, updated_at"

    static func title(from text: String) -> String {
        // The first line that has any text, without the spaces around it, cut at 60 characters. Lines are
        // split on scalars (a line break is never inside a character) and characters are counted only past
        // 60 scalars: this runs on every turn.
        let isSpace: (Unicode.Scalar) -> Bool = { $0.properties.isWhitespace }
        guard
            let line = text.unicodeScalars.split(whereSeparator: Self.isLineBreak).first(where: {
                !$0.allSatisfy(isSpace)
            }),
            let first = line.firstIndex(where: { !isSpace($0) }), let last = line.lastIndex(where: { !isSpace($0) })
        else { return "محادثة جديدة" }
        let trimmed = Substring(line[first...last])
        if trimmed.unicodeScalars.count <= 60 || trimmed.count <= 60 { return String(trimmed) }
        return String(trimmed.prefix(60)) + "…"
    }

    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    func create(userID: UUID, title: String, model: String?) async throws -> Conversation {
        try await first(
            client.query(
                """
                INSERT INTO conversations (user_id, title, title_normalized, model)
                VALUES (\(userID), \(title), \(ArabicNormalizer.normalize(title)), \(model))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger))!
    }

    func find(id: UUID, userID: UUID) async throws -> Conversation? {
        try await first(
            client.query(
                "SELECT \(unescaped: Self.columns) FROM conversations WHERE id = \(id) AND user_id = \(userID)",
                logger: logger))
    }

    /// Newest first; `query` matches titles and message texts in any Arabic spelling.
    func list(userID: UUID, query: String?, limit: Int) async throws -> [Conversation] {
        let rows: PostgresRowSequence
        if let query, !query.trimmingCharacters(in: .whitespaces).isEmpty {
            let pattern =
                "%" + Self.escapeLike(ArabicNormalizer.normalize(query.trimmingCharacters(in: .whitespaces))) + "%"
            rows = try await client.query(
                """
                SELECT \(unescaped: Self.columns) FROM conversations c
                WHERE c.user_id = \(userID)
                  AND (c.title_normalized LIKE \(pattern)
                       OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.content_normalized LIKE \(pattern)))
                ORDER BY c.updated_at DESC LIMIT \(limit)
                """, logger: logger)
        } else {
            rows = try await client.query(
                """
                SELECT \(unescaped: Self.columns) FROM conversations WHERE user_id = \(userID)
                ORDER BY updated_at DESC LIMIT \(limit)
                """, logger: logger)
        }
        var out: [Conversation] = []
        for try await row in rows.decode((UUID, String, String?, Date, Date).self) {
            out.append(Self.conversation(row))
        }
        return out
    }

    func messages(conversationID: UUID) async throws -> [StoredMessage] {
        let rows = try await client.query(
            """
            SELECT id, role, content, model, created_at FROM messages
            WHERE conversation_id = \(conversationID) ORDER BY created_at, id
            """, logger: logger)
        var out: [StoredMessage] = []
        for try await (id, role, content, model, created) in rows.decode((UUID, String, String, String?, Date).self) {
            out.append(StoredMessage(id: id, role: role, content: content, model: model, createdAt: created))
        }
        return out
    }

    func rename(id: UUID, userID: UUID, title: String) async throws -> Conversation? {
        try await first(
            client.query(
                """
                UPDATE conversations SET title = \(title), title_normalized = \(ArabicNormalizer.normalize(title)), updated_at = now()
                WHERE id = \(id) AND user_id = \(userID) RETURNING \(unescaped: Self.columns)
                """, logger: logger))
    }

    func delete(id: UUID, userID: UUID) async throws -> Bool {
        let rows = try await client.query(
            "DELETE FROM conversations WHERE id = \(id) AND user_id = \(userID) RETURNING id", logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// Saves a question and its answer in one statement (one round trip, one commit): into
    /// `conversationID` when the user owns it, otherwise into a new conversation titled `title`.
    /// Returns the conversation's id, or nil when `conversationID` is not the user's. With `usage`, the
    /// call's usage row goes in the same statement (written whoever owns the conversation).
    func record(
        userID: UUID, conversationID: UUID?, title: String, question: String, answer: String, model: String,
        usage: QuotaSettlement.UsageRow? = nil, at time: Date = Date()
    ) async throws -> UUID? {
        let turn = Turn(
            id: conversationID ?? RandomBytes.uuid(), userID: userID, title: title, question: question, answer: answer,
            model: model,
            time: time)
        if let usage {
            for try await saved in try await client.execute(TurnWithUsage(turn: turn, usage: usage), logger: logger) {
                return saved
            }
        } else {
            for try await saved in try await client.execute(turn, logger: logger) { return saved }
        }
        return nil
    }

    /// `Turn` and the usage row of the call that answered it: one statement, one commit.
    struct TurnWithUsage: PostgresPreparedStatement {
        static let sql =
            """
            WITH usage AS (
                INSERT INTO usage_logs (user_id, kind, amount, model, meta_json) VALUES ($12, $13, $14, $15, $16::jsonb)
            ),
            """ + " " + Turn.sql.dropFirst("WITH ".count)
        typealias Row = UUID
        let turn: Turn
        let usage: QuotaSettlement.UsageRow

        func makeBindings() throws -> PostgresBindings {
            var bindings = try turn.makeBindings()
            bindings.append(usage.userID)
            bindings.append(usage.kind)
            bindings.append(usage.amount)
            bindings.append(usage.model)
            bindings.append(usage.meta)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> UUID {
            try row.decode(UUID.self)
        }
    }

    /// One question and its answer, with the conversation made or touched, in one statement (it runs
    /// after every chat answer, so it is prepared once per connection).
    struct Turn: PostgresPreparedStatement {
        static let sql = """
            WITH conversation AS (
                INSERT INTO conversations (id, user_id, title, title_normalized, model)
                VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (id) DO UPDATE SET updated_at = now(), model = EXCLUDED.model
                    WHERE conversations.user_id = EXCLUDED.user_id
                RETURNING id
            ), asked AS (
                INSERT INTO messages (conversation_id, role, content, content_normalized, created_at)
                SELECT id, 'user', $6, $7, $8 FROM conversation
            ), answered AS (
                INSERT INTO messages (conversation_id, role, content, content_normalized, model, created_at)
                SELECT id, 'assistant', $9, $10, $5, $11 FROM conversation
            )
            SELECT id FROM conversation
            """
        typealias Row = UUID
        let id: UUID
        let userID: UUID
        let title: String
        let question: String
        let answer: String
        let model: String
        let time: Date

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 11)
            bindings.append(id)
            bindings.append(userID)
            bindings.append(title)
            bindings.append(ArabicNormalizer.normalize(title))
            bindings.append(model)
            bindings.append(question)
            bindings.append(ArabicNormalizer.normalize(question))
            bindings.append(time)
            bindings.append(answer)
            bindings.append(ArabicNormalizer.normalize(answer))
            bindings.append(time.addingTimeInterval(0.001))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> UUID {
            try row.decode(UUID.self)
        }
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }

    private static func conversation(_ row: (UUID, String, String?, Date, Date)) -> Conversation {
        Conversation(id: row.0, title: row.1, model: row.2, createdAt: row.3, updatedAt: row.4)
    }

    private func first(_ rows: PostgresRowSequence) async throws -> Conversation? {
        for try await row in rows.decode((UUID, String, String?, Date, Date).self) { return Self.conversation(row) }
        return nil
    }
}
