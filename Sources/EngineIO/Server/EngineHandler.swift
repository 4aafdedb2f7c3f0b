import HTTPTypes

/// What the layer above Engine.IO provides: one receiver per session.
public protocol EngineServerHandler: Sendable {
    /// A session was opened (its open packet is about to be sent); returns who receives its messages.
    func sessionOpened(_ connection: EngineConnection) -> any EngineConnectionHandler
}

/// Receives one session's messages and hears of its end.
public protocol EngineConnectionHandler: AnyObject, Sendable {
    /// Messages from the client, in the order it sent them: called on the WebSocket's event loop, or in the polling
    /// POST's request. It must not block: work that waits belongs in a task (`connection.executor` keeps it on the
    /// connection's event loop), and the handler keeps the order of what it defers.
    func received(_ messages: [EngineMessage])

    /// The session ended; called once, after which nothing sent over the connection is delivered.
    func closed(_ reason: EngineCloseReason)
}

/// Why an Engine.IO session ended, with the reference implementation's wording.
public enum EngineCloseReason: String, Sendable, CaseIterable {
    /// The client closed the transport (or sent a close packet).
    case transportClose = "transport close"
    /// The transport failed or the client broke the protocol (a second concurrent poll, a ping from the client).
    case transportError = "transport error"
    case pingTimeout = "ping timeout"
    /// The client sent something that cannot be parsed.
    case parseError = "parse error"
    /// The server (or the layer above) closed the session.
    case forcedClose = "forced close"
    case serverShuttingDown = "server shutting down"
    /// Not in the reference server: the client did not read, and what waited for it passed
    /// `EngineConfiguration.maxOutboundBytes`.
    case slowConsumer = "slow consumer"
}
