import APIRuntime
import Foundation
import Handlers
import JWTKit

/// The claims the server reads: `sub` (the user id), `exp`, and optionally `iss`/`aud`; minted tokens also carry
/// `iat`, as jsonwebtoken's do.
struct UserClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim?
    var iss: IssuerClaim?
    var aud: AudienceClaim?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// HS256 verification (and minting, for the CLI) with `JWT_SECRET`. A token that passed once is answered from
/// `verified` until its `exp`.
struct JWTTokens: TokenVerifying {
    let keys: JWTKeyCollection
    let issuer: String?
    let audience: String?
    let verified: VerifiedTokens

    init(secret: String, issuer: String?, audience: String?, verified: VerifiedTokens = VerifiedTokens()) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.issuer = issuer
        self.audience = audience
        self.verified = verified
    }

    func identity(fromToken token: String) async throws -> TokenIdentity {
        if let identity = verified.identity(for: token) { return identity }
        return try await verify(token)
    }

    /// Checks the signature, `exp`, `iss`, `aud` and `sub`; a token that passes is remembered.
    private func verify(_ token: String) async throws -> TokenIdentity {
        let claims: UserClaims
        do {
            claims = try await keys.verify(token, as: UserClaims.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw APIError.unauthorized("The token has expired")
        } catch {
            throw APIError.unauthorized("Invalid token")
        }
        if let issuer, claims.iss?.value != issuer { throw APIError.unauthorized("Invalid token issuer") }
        if let audience {
            do {
                guard let aud = claims.aud else { throw APIError.unauthorized("Invalid token audience") }
                try aud.verifyIntendedAudience(includes: audience)
            } catch {
                throw APIError.unauthorized("Invalid token audience")
            }
        }
        guard !claims.sub.value.isEmpty, claims.sub.value.utf8.count <= 128 else {
            throw APIError.unauthorized("Invalid token subject")
        }
        verified.remember(token, userId: claims.sub.value, expires: claims.exp.value)
        return TokenIdentity(userId: claims.sub.value, expiresAt: claims.exp.value)
    }

    func mint(userId: String, lifetime: TimeInterval) async throws -> String {
        let issuedAt = Date().timeIntervalSince1970.rounded(.down)
        let claims = UserClaims(
            sub: SubjectClaim(value: userId),
            exp: ExpirationClaim(value: Date(timeIntervalSince1970: issuedAt + lifetime.rounded(.down))),
            iat: IssuedAtClaim(value: Date(timeIntervalSince1970: issuedAt)),
            iss: issuer.map { IssuerClaim(value: $0) },
            aud: audience.map { AudienceClaim(value: [$0]) }
        )
        return try await keys.sign(claims)
    }
}
