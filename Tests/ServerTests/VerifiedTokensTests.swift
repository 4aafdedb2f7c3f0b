import APIRuntime
import Foundation
import Testing

@testable import Server

@Suite struct VerifiedTokensTests {
    static let secret = String(repeating: "s", count: 40)

    @Test func aRememberedTokenAnswersUntilItsExpiry() {
        let tokens = VerifiedTokens()
        let now = Date(timeIntervalSince1970: 1_000_000)
        tokens.remember("a.b.c", userId: "user-1", expires: now + 60)
        #expect(tokens.userId(for: "a.b.c", now: now) == "user-1")
        #expect(tokens.userId(for: "a.b.c", now: now + 59.9) == "user-1")
        #expect(tokens.userId(for: "a.b.c", now: now + 60) == nil)
        // An expired token is dropped, not kept to be refused again.
        #expect(tokens.count == 0)
        #expect(tokens.userId(for: "other", now: now) == nil)
    }

    @Test func theTableStaysWithinItsCapacity() {
        let tokens = VerifiedTokens(capacity: 64)
        let expires = Date() + 3600
        for index in 0..<1000 { tokens.remember("token-\(index)", userId: "user-\(index)", expires: expires) }
        #expect(tokens.count <= 64)
        #expect(tokens.userId(for: "token-999") == "user-999")
    }

    @Test func longTokensAreNotKept() {
        let tokens = VerifiedTokens()
        let long = String(repeating: "x", count: VerifiedTokens.maxTokenBytes + 1)
        tokens.remember(long, userId: "user-1", expires: Date() + 60)
        #expect(tokens.userId(for: long) == nil)
    }

    @Test func aVerifiedTokenIsRememberedAndAnExpiredOneStillRefused() async throws {
        let verified = VerifiedTokens()
        let jwt = await JWTTokens(secret: Self.secret, issuer: nil, audience: nil, verified: verified)
        let token = try await jwt.mint(userId: "user-7", lifetime: 3600)
        #expect(try await jwt.userId(fromToken: token) == "user-7")
        #expect(verified.userId(for: token) == "user-7")
        #expect(try await jwt.userId(fromToken: token) == "user-7")

        let expired = try await jwt.mint(userId: "user-8", lifetime: -10)
        await #expect(throws: APIError.self) { try await jwt.userId(fromToken: expired) }
        #expect(verified.count == 1)
    }

    @Test func tokensFailingAClaimCheckAreNotRemembered() async throws {
        let minting = await JWTTokens(secret: Self.secret, issuer: "someone-else", audience: nil)
        let token = try await minting.mint(userId: "user-9", lifetime: 3600)
        let verified = VerifiedTokens()
        let jwt = await JWTTokens(secret: Self.secret, issuer: "marketplace", audience: nil, verified: verified)
        await #expect(throws: APIError.self) { try await jwt.userId(fromToken: token) }
        #expect(verified.count == 0)
    }

    @Test func aForgedSignatureIsRefusedAndNotRemembered() async throws {
        let verified = VerifiedTokens()
        let jwt = await JWTTokens(secret: Self.secret, issuer: nil, audience: nil, verified: verified)
        let token = try await jwt.mint(userId: "user-10", lifetime: 3600)
        let forged = String(token.dropLast(3)) + (token.hasSuffix("AAA") ? "BBB" : "AAA")
        await #expect(throws: APIError.self) { try await jwt.userId(fromToken: forged) }
        #expect(verified.count == 0)
    }
}
