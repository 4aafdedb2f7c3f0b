import HTTPTypes

/// What the client sent when it connected: handshake headers and query, and the CONNECT auth payload.
public struct Handshake: Sendable {
    public var headers: HTTPFields
    public var query: [String: String]
    /// The JSON object of the CONNECT packet (`auth` option of the client), if any.
    public var auth: JSONText?

    /// - Parameters:
    ///   - headers: the handshake request's headers.
    ///   - query: its query parameters.
    ///   - auth: the CONNECT packet's auth object.
    public init(headers: HTTPFields, query: [String: String], auth: JSONText?) {
        self.headers = headers
        self.query = query
        self.auth = auth
    }
}
