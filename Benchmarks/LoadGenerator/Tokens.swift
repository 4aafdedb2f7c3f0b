import Foundation
import JWTKit

/// Mints the HS256 tokens the server accepts (`sub` = user id, `exp`), as the marketplace backend would.
struct Tokens {
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    let keys = JWTKeyCollection()

    init(secret: String) async throws {
        guard secret.utf8.count >= 32 else { throw LoadError("JWT_SECRET must be at least 32 bytes") }
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    }

    func token(for userId: String) async throws -> String {
        try await keys.sign(
            Claims(sub: SubjectClaim(value: userId), exp: ExpirationClaim(value: Date().addingTimeInterval(3600)))
        )
    }
}
