/// Settings of the Socket.IO server; the defaults are the reference server's.
public struct SocketServerConfiguration: Sendable {
    /// The HTTP path of the endpoint.
    public var path: String = "/socket.io/"
    /// How often the server pings each client.
    public var pingInterval: Duration = .milliseconds(25_000)
    /// How long a pong may take before the session is closed.
    public var pingTimeout: Duration = .milliseconds(20_000)
    /// How long a new session may go without connecting to a namespace.
    public var connectTimeout: Duration = .milliseconds(45_000)
    /// Largest accepted packet or polling payload, in bytes.
    public var maxPayload: Int = 1_000_000
    /// Origins allowed to use the polling transport from a browser, with credentials; nil allows any origin.
    public var allowedOrigins: [String]?
    /// Most Engine.IO sessions open at once on this server; handshakes beyond it get 503. Nil: no ceiling.
    public var maxSessions: Int?
    /// On graceful shutdown, how long events already received may take to finish (their acks still go out)
    /// before every client is disconnected.
    public var drainTimeout: Duration = .seconds(10)

    public init() {}
}
