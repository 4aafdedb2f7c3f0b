import Foundation

/// Who a bearer token was issued to, and until when it is valid.
public struct TokenIdentity: Sendable, Equatable {
    public var userId: String
    /// The token's `exp`; nil for tokens that do not expire.
    public var expiresAt: Date?

    public init(userId: String, expiresAt: Date?) {
        self.userId = userId
        self.expiresAt = expiresAt
    }
}

/// Turns a bearer token into the identity it was issued to; throws `APIError.unauthorized` otherwise.
///
/// The server implements it with JWT verification; the service never sees keys or claims.
public protocol TokenVerifying: Sendable {
    func identity(fromToken token: String) async throws -> TokenIdentity
}

extension TokenVerifying {
    public func userId(fromToken token: String) async throws -> String {
        try await identity(fromToken: token).userId
    }
}
