import EngineIO
import HTTPTypes

/// What the client sent when it connected: handshake headers and query, and the CONNECT auth payload.
public struct Handshake: Sendable {
    /// The Engine.IO session's handshake, shared by the session's sockets.
    public var engine: EngineHandshake
    /// The JSON object of the CONNECT packet (`auth` option of the client), if any.
    public var auth: JSONText?

    /// The handshake request's headers.
    public var headers: HTTPFields {
        get { engine.headers }
        set { engine.headers = newValue }
    }

    /// Its query parameters.
    public var query: [String: String] {
        get { engine.query }
        set { engine.query = newValue }
    }

    /// - Parameters:
    ///   - engine: the handshake of the Engine.IO session.
    ///   - auth: the CONNECT packet's auth object.
    public init(engine: EngineHandshake, auth: JSONText?) {
        self.engine = engine
        self.auth = auth
    }

    /// - Parameters:
    ///   - headers: the handshake request's headers.
    ///   - query: its query parameters.
    ///   - auth: the CONNECT packet's auth object.
    public init(headers: HTTPFields, query: [String: String], auth: JSONText?) {
        self.init(engine: EngineHandshake(headers: headers, query: query), auth: auth)
    }
}
