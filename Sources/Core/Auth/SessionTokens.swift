import Foundation
import JWTKit
import Synchronization

/// The claims of a session cookie: who, until when, and which token version of the user.
public struct SessionClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    /// The user's `token_version` when the token was issued; bumping it revokes the token.
    public var ver: Int

    public var userID: UUID? { UUID(uuidString: sub.value) }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Issues (backend) and verifies (backend and gateway) HS256 session tokens.
public struct SessionTokens: Sendable {
    private let keys: JWTKeyCollection
    public let lifetime: TimeInterval

    /// `secret` must be at least 32 bytes (`JWTSettings` enforces it).
    public init(secret: String, lifetime: TimeInterval) async {
        precondition(secret.utf8.count >= 32, "JWT secret shorter than 32 bytes")
        self.keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.lifetime = lifetime
    }

    public func issue(userID: UUID, tokenVersion: Int, now: Date = Date()) async throws -> String {
        let claims = SessionClaims(
            sub: SubjectClaim(value: userID.uuidString.lowercased()),
            exp: ExpirationClaim(value: now.addingTimeInterval(lifetime)),
            iat: IssuedAtClaim(value: now), ver: tokenVersion)
        return try await keys.sign(claims)
    }

    /// Checks signature, expiry and token version. `currentVersion` returns the user's version now
    /// (nil if the user is gone or blocked). Any failure is `AppError.unauthenticated`. With `verified`,
    /// a token whose signature was checked before is not checked again (its expiry always is).
    public func verify(
        _ token: String, remembering verified: VerifiedTokens? = nil, currentVersion: (UUID) async throws -> Int?
    ) async throws -> SessionClaims {
        let claims: SessionClaims
        if let known = verified?.claims(token) {
            claims = known
        } else {
            do {
                claims = try await keys.verify(token, as: SessionClaims.self)
            } catch {
                throw AppError.unauthenticated
            }
            verified?.remember(token, claims)
        }
        guard let userID = claims.userID, let version = try await currentVersion(userID), version == claims.ver else {
            throw AppError.unauthenticated
        }
        return claims
    }
}

/// Session tokens whose signature this process has checked, with their claims: the same token string
/// on the next request needs neither the HMAC nor the claims decoded again. Only the exact string that
/// was verified is found (the whole token is the key), and only until its `exp`; the token version is
/// still compared with the user's on every request.
public final class VerifiedTokens: Sendable {
    private let entries = Mutex<[String: SessionClaims]>([:])
    let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The claims of `token` if it was verified and has not expired.
    public func claims(_ token: String, now: Date = Date()) -> SessionClaims? {
        entries.withLock { entries in
            guard let claims = entries[token] else { return nil }
            if claims.exp.value > now { return claims }
            entries[token] = nil
            return nil
        }
    }

    func remember(_ token: String, _ claims: SessionClaims) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = claims
        }
    }
}
