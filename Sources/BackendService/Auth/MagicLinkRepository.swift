import Core
import Crypto
import Foundation
import Logging
import PostgresNIO

/// Sign-in links and codes. Only SHA-256 hashes are stored; a link is spent once.
struct MagicLinkRepository: Sendable {
    static let maxFailedCodes = 5
    let client: PostgresClient
    let logger: Logger

    struct Issued: Sendable {
        let token: String
        let code: String
    }

    struct Claim: Sendable, Equatable {
        let email: String
        let locale: String
    }

    /// Why a token or code was refused: each has its own code and message.
    enum Refusal: String, Error, CaseIterable {
        case invalidToken = "invalid_token"
        case tokenUsed = "token_used"
        case tokenExpired = "token_expired"
        case tokenLocked = "token_locked"
        case invalidCode = "invalid_code"

        var appError: AppError {
            let (en, ar): (String, String) =
                switch self {
                case .invalidToken:
                    (
                        "This sign-in link is not valid. Request a new one.",
                        "رابط الدخول هذا غير صالح. اطلب رابطًا جديدًا."
                    )
                case .tokenUsed:
                    (
                        "This sign-in link was already used. Request a new one.",
                        "تم استخدام رابط الدخول هذا من قبل. اطلب رابطًا جديدًا."
                    )
                case .tokenExpired:
                    (
                        "This sign-in link has expired. Request a new one.",
                        "انتهت صلاحية رابط الدخول هذا. اطلب رابطًا جديدًا."
                    )
                case .tokenLocked:
                    (
                        "Too many wrong codes. Request a new sign-in e-mail.",
                        "أُدخلت رموز خاطئة كثيرة. اطلب رسالة دخول جديدة."
                    )
                case .invalidCode:
                    ("The code is not correct.", "الرمز غير صحيح.")
                }
            return AppError(code: rawValue, status: .badRequest, message: en, messageAr: ar)
        }
    }

    /// Creates a link for `email`: 32 random bytes (base64url) and a 6-digit code.
    func issue(email: String, locale: String, ip: String, ttl: TimeInterval, now: Date = Date()) async throws -> Issued
    {
        let tokenBytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let token = tokenBytes.base64URLEncoded
        let code = String(format: "%06d", Int.random(in: 0...999_999))
        let id = UUID()
        try await client.query(
            """
            INSERT INTO magic_links (id, email, token_hash, code_hash, locale, requested_ip, created_at, expires_at)
            VALUES (\(id), \(email), \(Self.sha256(tokenBytes)), \(Self.codeHash(id: id, code: code)), \(locale), \(ip),
                    \(now), \(now.addingTimeInterval(ttl)))
            """, logger: logger)
        return Issued(token: token, code: code)
    }

    /// Spends the link behind `token`, or says why it cannot be spent.
    func consume(token: String, now: Date = Date()) async throws -> Claim {
        guard let bytes = Data(base64URLEncoded: token), bytes.count == 32 else { throw Refusal.invalidToken }
        let hash = Self.sha256(bytes)
        let rows = try await client.query(
            """
            UPDATE magic_links SET used_at = \(now)
            WHERE token_hash = \(hash) AND used_at IS NULL AND expires_at > \(now)
              AND failed_attempts < \(Self.maxFailedCodes)
            RETURNING email, locale
            """, logger: logger)
        for try await (email, locale) in rows.decode((String, String).self) {
            return Claim(email: email, locale: locale)
        }
        let state = try await client.query(
            "SELECT used_at IS NOT NULL, expires_at <= \(now), failed_attempts FROM magic_links WHERE token_hash = \(hash)",
            logger: logger)
        for try await (used, expired, failures) in state.decode((Bool, Bool, Int).self) {
            if used { throw Refusal.tokenUsed }
            if failures >= Self.maxFailedCodes { throw Refusal.tokenLocked }
            if expired { throw Refusal.tokenExpired }
        }
        throw Refusal.invalidToken
    }

    /// Spends the newest link of `email` if `code` matches; a wrong code counts towards the lock.
    func consume(email: String, code: String, now: Date = Date()) async throws -> Claim {
        try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT id, locale, code_hash, expires_at <= \(now), failed_attempts FROM magic_links
                WHERE lower(email) = \(email) AND used_at IS NULL
                ORDER BY created_at DESC LIMIT 1 FOR UPDATE
                """, logger: logger)
            var found: (UUID, String, Data, Bool, Int)?
            for try await row in rows.decode((UUID, String, Data, Bool, Int).self) { found = row }
            // Refusals are returned, not thrown: a throw would roll back the failed-attempt count
            // (and PostgresNIO wraps errors thrown inside a transaction).
            guard let (id, locale, storedHash, expired, failures) = found else {
                return Result<Claim, Refusal>.failure(.invalidCode)
            }
            if failures >= Self.maxFailedCodes { return .failure(.tokenLocked) }
            if expired { return .failure(.tokenExpired) }
            guard Self.codeHash(id: id, code: code).constantTimeEquals(storedHash) else {
                try await connection.query(
                    "UPDATE magic_links SET failed_attempts = failed_attempts + 1 WHERE id = \(id)", logger: logger)
                return Result<Claim, Refusal>.failure(failures + 1 >= Self.maxFailedCodes ? .tokenLocked : .invalidCode)
            }
            try await connection.query("UPDATE magic_links SET used_at = \(now) WHERE id = \(id)", logger: logger)
            return Result<Claim, Refusal>.success(Claim(email: email, locale: locale))
        }.get()
    }

    static func sha256(_ data: Data) -> Data { Data(SHA256.hash(data: data)) }

    static func codeHash(id: UUID, code: String) -> Data { sha256(Data("\(id.uuidString.lowercased()):\(code)".utf8)) }
}

extension Data {
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URLEncoded text: String) {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return nil
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }

    func constantTimeEquals(_ other: Data) -> Bool {
        guard count == other.count else { return false }
        return zip(self, other).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
