/// Turns a bearer token into the id of the user it was issued to; throws `APIError.unauthorized` otherwise.
///
/// The server implements it with JWT verification; the service never sees keys or claims.
public protocol TokenVerifying: Sendable {
    func userId(fromToken token: String) async throws -> String
}
