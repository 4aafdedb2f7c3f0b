import EngineIO
import Logging
import NIOCore
import Synchronization

/// The Socket.IO side of one Engine.IO session: its sockets (one per connected namespace), the binary packet being
/// assembled, and the connect timeout: a session with no connected namespace for `connectTimeout` (after its
/// handshake, or after its last namespace disconnected) is closed.
final class SocketClient: EngineConnectionHandler {
    let connection: EngineConnection
    let layer: SocketLayer
    private let state = Mutex(State())

    private struct State {
        var sockets: [String: Socket] = [:]
        var pendingBinary: BinaryAssembly?
        /// Set while a CONNECT runs (the session is not idle then): the messages that arrived after it, handled
        /// once it is done.
        var backlog: [EngineMessage]?
        var closed = false
        var connectTimer: NIOScheduledCallback?
    }

    init(connection: EngineConnection, layer: SocketLayer) {
        self.connection = connection
        self.layer = layer
        armConnectTimeout()
    }

    var logger: Logger { layer.logger }

    // MARK: EngineConnectionHandler

    func received(_ messages: [EngineMessage]) {
        enum Route { case now, deferred, overflow }
        let route = state.withLock { state -> Route in
            guard let backlog = state.backlog else { return .now }
            guard backlog.count + messages.count <= Self.maxBacklog else { return .overflow }
            state.backlog?.append(contentsOf: messages)
            return .deferred
        }
        switch route {
        case .now: process(messages[...])
        case .deferred: break
        case .overflow:
            SocketMetrics.limitHit("connect_backlog")
            connection.close(.forcedClose)
        }
    }

    /// Messages that may wait behind a CONNECT whose middleware runs; past this the session is closed.
    static let maxBacklog = 1_000

    /// Handles messages in order until a CONNECT, which runs in a task on the session's event loop while the
    /// messages after it wait in the backlog; returns false when a CONNECT took over.
    @discardableResult
    private func process(_ messages: ArraySlice<EngineMessage>) -> Bool {
        var rest = messages
        while let message = rest.popFirst() {
            guard !connection.isClosed else { return true }
            switch message {
            case .text(let text):
                guard !awaitsAttachments, let decoded = try? SocketPacket.decode(text) else {
                    connection.close(.parseError)
                    return true
                }
                if decoded.kind == .connect {
                    state.withLock { $0.backlog = Array(rest) + ($0.backlog ?? []) }
                    Task(executorPreference: connection.executor) {
                        await self.connect(decoded)
                        self.resumeAfterConnect()
                    }
                    return false
                }
                if let assembly = BinaryAssembly(decoded, maxBytes: layer.configuration.engine.maxPayload) {
                    // A binary packet for a namespace the client is not connected to ends the session before any
                    // attachment is held.
                    guard decoded.kind == .binaryAck || socket(in: decoded.namespace) != nil else {
                        connection.close(.parseError)
                        return true
                    }
                    state.withLock { $0.pendingBinary = assembly }
                } else {
                    handle(decoded, attachments: [])
                }
            case .binary(let bytes):
                switch addAttachment(bytes) {
                case .complete(let packet, let attachments): handle(packet, attachments: attachments)
                case .incomplete: break
                case .overflow:
                    SocketMetrics.limitHit("binary_attachments")
                    connection.close(.parseError)
                    return true
                case nil:
                    connection.close(.parseError)
                    return true
                }
            }
        }
        return true
    }

    /// The CONNECT finished: what arrived meanwhile is handled, in order, before anything newer.
    private func resumeAfterConnect() {
        while true {
            let batch = state.withLock { state -> [EngineMessage]? in
                guard let backlog = state.backlog, !backlog.isEmpty else {
                    state.backlog = nil
                    return nil
                }
                state.backlog = []
                return backlog
            }
            guard let batch, process(batch[...]) else { return }
        }
    }

    /// True while a CONNECT runs (messages wait behind it).
    var isConnecting: Bool { state.withLock { $0.backlog != nil } }

    func closed(_ reason: EngineCloseReason) {
        let (sockets, timer) = state.withLock { state in
            state.closed = true
            defer {
                state.sockets.removeAll()
                state.connectTimer = nil
                state.pendingBinary = nil
                state.backlog = nil
            }
            return (Array(state.sockets.values), state.connectTimer)
        }
        timer?.cancel()
        for socket in sockets { socket.didDisconnect(reason: .engine(reason)) }
    }

    // MARK: Packets

    private func handle(_ packet: SocketPacket, attachments: [[UInt8]]) {
        switch packet.kind {
        case .connect:
            break  // see `process(_:)`
        case .disconnect:
            detach(namespace: packet.namespace)?.didDisconnect(reason: .clientNamespaceDisconnect)
        case .event, .binaryEvent:
            // An event for a namespace the client is not connected to ends the session, as the reference does.
            guard let socket = socket(in: packet.namespace) else { return connection.close(.parseError) }
            guard let name = packet.eventName else { return }
            let ack = packet.id.map { Acknowledgement(id: $0, socket: socket) }
            let event = IncomingEvent(name: name, arguments: packet.arguments, attachments: attachments, ack: ack)
            if !socket.receive(event) {
                SocketMetrics.limitHit("handler_backlog")
                logger.warning(
                    "Client is too far ahead of its event handler; closing",
                    metadata: ["sid": "\(connection.id)"]
                )
                connection.close(.forcedClose)
            }
        case .ack, .binaryAck:
            guard let socket = socket(in: packet.namespace), let id = packet.id else { return }
            socket.resolveAck(id, reply: AckReply(arguments: packet.arguments, attachments: attachments))
        case .connectError:
            connection.close(.parseError)
        }
    }

    // MARK: Sockets

    func socket(in namespace: String) -> Socket? {
        state.withLock { $0.sockets[namespace] }
    }

    /// Registers a namespace connection; false when the session closed or has one for that namespace.
    func attach(_ socket: Socket) -> Bool {
        let (attached, first, timer) = state.withLock { state -> (Bool, Bool, NIOScheduledCallback?) in
            guard !state.closed, state.sockets[socket.namespace.name] == nil else { return (false, false, nil) }
            state.sockets[socket.namespace.name] = socket
            defer { state.connectTimer = nil }
            return (true, state.sockets.count == 1, state.connectTimer)
        }
        timer?.cancel()
        // A session connected to a namespace no longer counts as its address's pending session.
        if first { connection.setAdmitted(true) }
        return attached
    }

    /// Removes the namespace connection; once none is left, the connect timeout runs again.
    func detach(namespace: String) -> Socket? {
        let (socket, idle) = state.withLock { state -> (Socket?, Bool) in
            let socket = state.sockets.removeValue(forKey: namespace)
            return (socket, socket != nil && state.sockets.isEmpty && !state.closed)
        }
        if idle {
            connection.setAdmitted(false)
            armConnectTimeout()
        }
        return socket
    }

    private var awaitsAttachments: Bool { state.withLock { $0.pendingBinary != nil } }

    /// Adds an attachment to the packet being assembled; nil when none is expected.
    private func addAttachment(_ bytes: [UInt8]) -> BinaryAssembly.Step? {
        state.withLock { state in
            guard var assembly = state.pendingBinary else { return nil }
            let step = assembly.add(bytes)
            state.pendingBinary = step == .incomplete ? assembly : nil
            return step
        }
    }

    // MARK: Connect timeout

    private func armConnectTimeout() {
        let delay = TimeAmount(layer.configuration.connectTimeout)
        let timer = try? connection.eventLoop.scheduleCallback(in: delay, handler: ConnectTimer(client: self))
        let stale = state.withLock { state -> NIOScheduledCallback? in
            defer { state.connectTimer = timer }
            return state.connectTimer
        }
        stale?.cancel()
    }

    fileprivate func connectTimeoutFired() {
        let idle = state.withLock { $0.sockets.isEmpty && $0.backlog == nil && !$0.closed }
        if idle {
            connection.close(.forcedClose)
        } else if state.withLock({ $0.sockets.isEmpty && !$0.closed }) {
            // A CONNECT is still running: look again after another timeout.
            armConnectTimeout()
        }
    }
}

private struct ConnectTimer: NIOScheduledCallbackHandler, Sendable {
    let client: SocketClient

    func handleScheduledCallback(eventLoop: some EventLoop) {
        client.connectTimeoutFired()
    }
}
