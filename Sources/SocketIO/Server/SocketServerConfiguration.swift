import EngineIO

/// Settings of the Socket.IO server; the defaults are the reference server's.
public struct SocketServerConfiguration: Sendable {
    /// The Engine.IO layer's settings: path, heartbeat, payload size, origins, session ceiling.
    public var engine = EngineConfiguration()
    /// How long a session may go without a connected namespace (after its handshake, or after its last namespace
    /// disconnected) before it is closed.
    public var connectTimeout: Duration = .milliseconds(45_000)
    /// On graceful shutdown, how long events already received may take to finish (their acks still go out)
    /// before every client is disconnected.
    public var drainTimeout: Duration = .seconds(10)

    public init() {}
}
