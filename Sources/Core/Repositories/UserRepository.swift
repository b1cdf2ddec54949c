import Foundation
import Logging
import PostgresNIO

/// A person with an account.
public struct User: Sendable, Equatable, Codable {
    public let id: UUID
    public let email: String
    public let locale: String
    /// `latn` (Western digits, the default) or `arab` (Eastern Arabic digits).
    public let digits: String
    public let isActive: Bool
    public let tokenVersion: Int
    public let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, email, locale, digits
        case isActive = "is_active"
        case tokenVersion = "token_version"
        case createdAt = "created_at"
    }
}

/// Users by id and e-mail; e-mail matching ignores case.
public struct UserRepository: Sendable {
    let client: PostgresClient
    let logger: Logger
    static let columns = "id, email, locale, digits, is_active, token_version, created_at"
    /// `columns`, decoded.
    typealias Columns = (UUID, String, String, String, Bool, Int, Date)

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Returns the user with this e-mail, creating it if needed (sign-in is also sign-up), and whether
    /// this call created it.
    public func findOrCreate(email: String, locale: String = "ar") async throws -> (user: User, created: Bool) {
        let normalized = email.trimmingWhitespace().lowercased()
        let rows = try await client.query(
            """
            INSERT INTO users (email, locale) VALUES (\(normalized), \(locale))
            ON CONFLICT ((lower(email))) DO UPDATE SET updated_at = users.updated_at
            RETURNING \(unescaped: Self.columns), (xmax = 0)
            """, logger: logger)
        for try await row in rows.decode((UUID, String, String, String, Bool, Int, Date, Bool).self) {
            return (Self.user((row.0, row.1, row.2, row.3, row.4, row.5, row.6)), row.7)
        }
        throw AppError.internalError
    }

    /// Read on every signed-in request: a prepared statement, so PostgreSQL parses and plans it once
    /// per connection.
    public func find(id: UUID) async throws -> User? {
        for try await row in try await client.execute(ByID(id: id), logger: logger) { return Self.user(row) }
        return nil
    }

    struct ByID: PostgresPreparedStatement {
        static let sql = "SELECT \(UserRepository.columns) FROM users WHERE id = $1"
        typealias Row = Columns
        let id: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Row.self)
        }
    }

    public func find(email: String) async throws -> User? {
        let normalized = email.trimmingWhitespace().lowercased()
        return try await Self.first(
            client.query(
                "SELECT \(unescaped: Self.columns) FROM users WHERE lower(email) = \(normalized)", logger: logger))
    }

    /// Changes the display preferences; nil leaves a value as it is.
    public func updatePreferences(id: UUID, locale: String?, digits: String?) async throws -> User? {
        try await Self.first(
            client.query(
                """
                UPDATE users SET locale = COALESCE(\(locale), locale), digits = COALESCE(\(digits), digits),
                    updated_at = now()
                WHERE id = \(id) RETURNING \(unescaped: Self.columns)
                """, logger: logger))
    }

    /// Invalidates every session token issued so far (logout everywhere); returns the new version.
    public func bumpTokenVersion(id: UUID) async throws -> Int? {
        let rows = try await client.query(
            """
            UPDATE users SET token_version = token_version + 1, updated_at = now() WHERE id = \(id)
            RETURNING token_version
            """, logger: logger)
        for try await version in rows.decode(Int.self) { return version }
        return nil
    }

    private static func user(_ row: Columns) -> User {
        User(
            id: row.0, email: row.1, locale: row.2, digits: row.3, isActive: row.4, tokenVersion: row.5,
            createdAt: row.6)
    }

    private static func first(_ rows: PostgresRowSequence) async throws -> User? {
        for try await row in rows.decode(Columns.self) {
            return user(row)
        }
        return nil
    }
}
