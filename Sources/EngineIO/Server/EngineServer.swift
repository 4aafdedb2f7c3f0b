import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// An Engine.IO v4 server: handshakes, the polling and WebSocket transports, upgrades, heartbeats and limits.
///
/// It carries messages (text and binary) between clients and an `EngineServerHandler` and knows nothing of what
/// they mean. Register its routes on a Hummingbird router (`addRoutes(to:)`), serve it with `httpServer()`, and
/// run it as a `Service`: on graceful shutdown it closes every session.
public final class EngineServer: Service, Sendable {
    public let configuration: EngineConfiguration
    let logger: Logger
    let handler: any EngineServerHandler
    private struct Sessions {
        var open: [String: EngineConnection] = [:]
        /// Open sessions not admitted by the layer above, per client address.
        var pending: [String: Int] = [:]
        /// The ids of open sessions the layer above admitted (kept only while addresses are counted).
        var admitted: Set<String> = []

        /// Adds `change` to the address's count of sessions not admitted; a count of 0 leaves the table.
        mutating func countPending(_ address: String, _ change: Int) {
            let count = pending[address, default: 0] + change
            pending[address] = count == 0 ? nil : count
        }
    }
    private let sessions = Mutex(Sessions())
    private let stopping = Atomic<Bool>(false)

    /// - Parameters:
    ///   - configuration: path, heartbeat, limits and timeouts.
    ///   - logger: the logger of the transports and sessions.
    ///   - handler: the layer above, told of sessions, messages and closes.
    public init(
        configuration: EngineConfiguration = .init(),
        logger: Logger = Logger(label: "engine.io"),
        handler: any EngineServerHandler
    ) {
        self.configuration = configuration
        self.logger = logger
        self.handler = handler
    }

    /// Open sessions by transport.
    public var sessionCounts: (polling: Int, websocket: Int) {
        let all = sessions.withLock { Array($0.open.values) }
        let websocket = all.filter { $0.transport == .websocket }.count
        return (all.count - websocket, websocket)
    }

    /// The open session with this id.
    ///
    /// - Parameter id: the Engine.IO session id (`sid`).
    public func session(_ id: String) -> EngineConnection? {
        sessions.withLock { $0.open[id] }
    }

    /// False once shutdown began: new handshakes get 503.
    public var isAcceptingConnections: Bool { !stopping.load(ordering: .acquiring) }

    /// Refuses new sessions from now on (503 with `Retry-After`); open ones go on.
    public func stopAccepting() {
        stopping.store(true, ordering: .releasing)
    }

    /// Closes every session: pending long-polls get a close packet and WebSockets a close frame.
    ///
    /// - Parameter reason: what each session's handler hears.
    public func closeAll(_ reason: EngineCloseReason = .serverShuttingDown) {
        for session in sessions.withLock({ Array($0.open.values) }) { close(session, reason) }
    }

    /// Waits for graceful shutdown, then stops accepting sessions and closes every open one.
    public func run() async throws {
        try? await gracefulShutdown()
        stopAccepting()
        closeAll()
    }

    // MARK: Sessions

    /// Opens a session unless the server is stopping or holds `maxSessions` already; returns it and its open
    /// packet. Its handler is attached and its heartbeat armed before it is returned.
    func openSession(
        transport: EngineTransport,
        handshake: EngineHandshake,
        eventLoop: (any EventLoop)? = nil
    ) throws(EngineError) -> (EngineConnection, EnginePacket) {
        guard isAcceptingConnections else {
            EngineMetrics.sessionRefused("shutting_down")
            throw .shuttingDown
        }
        let session = EngineConnection(
            id: Self.randomId(),
            transport: transport,
            handshake: handshake,
            eventLoop: eventLoop ?? configuration.eventLoopGroup.next(),
            server: self
        )
        let refusal = sessions.withLock { sessions -> EngineError? in
            if let limit = configuration.maxSessions, sessions.open.count >= limit { return .atCapacity }
            if let address = handshake.address, let limit = configuration.maxPendingSessionsPerAddress {
                guard sessions.pending[address, default: 0] < limit else { return .tooManyPendingSessions }
                sessions.countPending(address, 1)
            }
            sessions.open[session.id] = session
            return nil
        }
        if let refusal {
            EngineMetrics.sessionRefused(refusal == .atCapacity ? "capacity" : "pending_per_address")
            throw refusal
        }
        session.attach(handler.sessionOpened(session))
        session.armHeartbeat()
        let upgrades = transport == .polling ? "[\"websocket\"]" : "[]"
        let open =
            "{\"sid\":\"\(session.id)\",\"upgrades\":\(upgrades),\"pingInterval\":\(Self.milliseconds(configuration.pingInterval)),"
            + "\"pingTimeout\":\(Self.milliseconds(configuration.pingTimeout)),\"maxPayload\":\(configuration.maxPayload)}"
        return (session, .open(open))
    }

    /// True when `maxSessions` sessions are open.
    var isFull: Bool {
        guard let limit = configuration.maxSessions else { return false }
        return sessions.withLock { $0.open.count >= limit }
    }

    /// True when `address` holds `maxPendingSessionsPerAddress` sessions not admitted.
    func hasTooManyPending(_ address: String?) -> Bool {
        guard let address, let limit = configuration.maxPendingSessionsPerAddress else { return false }
        return sessions.withLock { $0.pending[address, default: 0] >= limit }
    }

    /// The layer above admitted a session (or withdrew its admission): it leaves (or rejoins) its address's count.
    func setAdmitted(_ session: EngineConnection, _ admitted: Bool) {
        guard let address = session.handshake.address, configuration.maxPendingSessionsPerAddress != nil else {
            return
        }
        sessions.withLock { sessions in
            guard sessions.open[session.id] != nil else { return }
            let changed =
                admitted ? sessions.admitted.insert(session.id).inserted : sessions.admitted.remove(session.id) != nil
            guard changed else { return }
            sessions.countPending(address, admitted ? -1 : 1)
        }
    }

    /// Closes a session and tells its handler; safe to call more than once (only the first reason counts).
    func close(_ session: EngineConnection, _ reason: EngineCloseReason) {
        session.closeState(reason)
        let removed = sessions.withLock { sessions -> Bool in
            guard sessions.open.removeValue(forKey: session.id) != nil else { return false }
            if let address = session.handshake.address, configuration.maxPendingSessionsPerAddress != nil,
                sessions.admitted.remove(session.id) == nil
            {
                sessions.countPending(address, -1)
            }
            return true
        }
        guard removed else { return }
        let reason = session.closeReason ?? reason
        EngineMetrics.sessionClosed(reason)
        session.detachHandler()?.closed(reason)
        logger.debug("Engine.IO session closed", metadata: ["sid": "\(session.id)", "reason": "\(reason.rawValue)"])
    }

    /// Handles the packets a client sent, in order: control packets here, messages to the session's handler.
    func receive(_ packets: some Sequence<EnginePacket>, on session: EngineConnection) {
        var messages: [EngineMessage] = []
        func deliver() {
            guard !messages.isEmpty, !session.isClosed, let handler = session.handler else { return }
            let batch = messages
            messages.removeAll()
            handler.received(batch)
        }
        for packet in packets {
            switch packet {
            case .message(let message):
                guard message.byteCount <= configuration.maxPayload else {
                    EngineMetrics.limitHit("max_payload")
                    deliver()
                    return close(session, .parseError)
                }
                messages.append(message)
            case .pong:
                session.pongReceived()
            case .ping:
                // In protocol v4 the server pings: a ping from the client is an error, as the reference has it.
                deliver()
                return close(session, .transportError)
            case .close:
                deliver()
                // Over polling, a pending GET is released with a noop first, as the reference does.
                if session.transport == .polling { session.releaseConsumer(with: [.noop]) }
                return close(session, .transportClose)
            case .noop, .upgrade, .open:
                break
            }
        }
        deliver()
    }

    /// A random URL-safe id of 20 characters (120 bits): session ids, and socket ids of the layer above.
    public static func randomId() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<15).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
