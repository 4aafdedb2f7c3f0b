import NIOCore
import NIOPosix

/// Settings of the Engine.IO server; the defaults are the reference server's.
public struct EngineConfiguration: Sendable {
    /// The HTTP path of the endpoint.
    public var path: String = "/socket.io/"
    /// How often the server pings each client.
    public var pingInterval: Duration = .milliseconds(25_000)
    /// How long a pong may take before the session is closed.
    public var pingTimeout: Duration = .milliseconds(20_000)
    /// How long a WebSocket may take from its request to the upgrade packet before it is closed.
    public var upgradeTimeout: Duration = .milliseconds(10_000)
    /// Largest accepted message or polling payload, in bytes.
    public var maxPayload: Int = 1_000_000
    /// Origins allowed to use the polling transport from a browser, with credentials; nil allows any origin.
    public var allowedOrigins: [String]?
    /// How long a new HTTP connection may take to send its first complete request head before it is closed (a
    /// client that opens connections and sends nothing, or a byte at a time, cannot hold them).
    public var requestHeadTimeout: Duration = .seconds(30)
    /// Most bytes of messages waiting for one client: queued for its next poll, or held while its WebSocket is not
    /// writable (the client does not read). Past it the session is closed as a `slowConsumer`, so that a client
    /// that never reads cannot make the server hold its broadcasts without end. Nil: no bound.
    public var maxOutboundBytes: Int? = 1_000_000
    /// How long the body of a polling POST may take to arrive, from its request head; past it the connection and
    /// the session are closed (a client cannot hold a connection by sending a body a byte at a time). Applies when
    /// the router's context is `EngineRequestContext`.
    public var requestBodyTimeout: Duration = .seconds(10)
    /// Most sessions open at once on this server; handshakes beyond it get 503. Nil: no ceiling.
    public var maxSessions: Int?
    /// Most sessions one client address may hold that the layer above has not admitted (for Socket.IO: sessions
    /// connected to no namespace, before their first CONNECT or after their last DISCONNECT); its handshakes
    /// beyond it get 429. A handshake needs no credentials, so without this one address could fill the server.
    /// Nil: no ceiling.
    public var maxPendingSessionsPerAddress: Int?
    /// Peers (exact IP addresses) whose `X-Forwarded-For` header names the client's address: the reverse proxies
    /// in front of the server. A request from any other peer is counted by the peer's own address.
    public var trustedProxies: Set<String> = []
    /// The event loops that run heartbeats, and the handlers of polling sessions (a WebSocket session uses its
    /// channel's event loop).
    public var eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton

    public init() {}
}
