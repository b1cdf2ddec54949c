import Foundation
import Logging
import PostgresNIO

/// A person with an account.
public struct User: Sendable, Equatable, Codable {
    public let id: UUID
    public let email: String
    public let locale: String
    public let isActive: Bool
    public let tokenVersion: Int
    public let createdAt: Date
}

/// Users by id and e-mail; e-mail matching ignores case.
public struct UserRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Returns the user with this e-mail, creating it if needed (sign-in is also sign-up).
    public func findOrCreate(email: String, locale: String = "ar") async throws -> User {
        let normalized = email.trimmingWhitespace().lowercased()
        let rows = try await client.query(
            """
            INSERT INTO users (email, locale) VALUES (\(normalized), \(locale))
            ON CONFLICT ((lower(email))) DO UPDATE SET updated_at = users.updated_at
            RETURNING id, email, locale, is_active, token_version, created_at
            """, logger: logger)
        guard let user = try await Self.first(rows) else { throw AppError.internalError }
        return user
    }

    public func find(id: UUID) async throws -> User? {
        try await Self.first(
            client.query(
                "SELECT id, email, locale, is_active, token_version, created_at FROM users WHERE id = \(id)",
                logger: logger))
    }

    public func find(email: String) async throws -> User? {
        let normalized = email.trimmingWhitespace().lowercased()
        return try await Self.first(
            client.query(
                """
                SELECT id, email, locale, is_active, token_version, created_at FROM users
                WHERE lower(email) = \(normalized)
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

    private static func first(_ rows: PostgresRowSequence) async throws -> User? {
        for try await (id, email, locale, active, version, created) in rows.decode(
            (UUID, String, String, Bool, Int, Date).self)
        {
            return User(
                id: id, email: email, locale: locale, isActive: active, tokenVersion: version, createdAt: created)
        }
        return nil
    }
}
