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
        var pendingBinary: PendingBinary?
        /// CONNECTs whose middleware is running: the session is not idle while one is.
        var connecting = 0
        var closed = false
        var connectTimer: NIOScheduledCallback?
    }

    struct PendingBinary {
        var packet: SocketPacket
        var attachments: [[UInt8]]
    }

    init(connection: EngineConnection, layer: SocketLayer) {
        self.connection = connection
        self.layer = layer
        armConnectTimeout()
    }

    var logger: Logger { layer.logger }

    // MARK: EngineConnectionHandler

    func received(_ messages: [EngineMessage]) async {
        for message in messages {
            guard !connection.isClosed else { return }
            switch message {
            case .text(let text):
                guard !awaitsAttachments, let decoded = try? SocketPacket.decode(text) else {
                    return connection.close(.parseError)
                }
                if decoded.kind == .binaryEvent || decoded.kind == .binaryAck, decoded.attachments > 0 {
                    // A binary packet for a namespace the client is not connected to ends the session before any
                    // attachment is held.
                    guard decoded.kind == .binaryAck || socket(in: decoded.namespace) != nil else {
                        return connection.close(.parseError)
                    }
                    state.withLock { $0.pendingBinary = PendingBinary(packet: decoded, attachments: []) }
                } else {
                    await handle(decoded, attachments: [])
                }
            case .binary(let bytes):
                guard case .some(let complete) = addAttachment(bytes) else { return connection.close(.parseError) }
                if let complete { await handle(complete.packet, attachments: complete.attachments) }
            }
        }
    }

    func closed(_ reason: EngineCloseReason) {
        let (sockets, timer) = state.withLock { state in
            state.closed = true
            defer {
                state.sockets.removeAll()
                state.connectTimer = nil
                state.pendingBinary = nil
            }
            return (Array(state.sockets.values), state.connectTimer)
        }
        timer?.cancel()
        for socket in sockets { socket.didDisconnect(reason: .engine(reason)) }
    }

    // MARK: Packets

    private func handle(_ packet: SocketPacket, attachments: [[UInt8]]) async {
        switch packet.kind {
        case .connect:
            await connect(packet)
        case .disconnect:
            detach(namespace: packet.namespace)?.didDisconnect(reason: .clientNamespaceDisconnect)
        case .event, .binaryEvent:
            // An event for a namespace the client is not connected to ends the session, as the reference does.
            guard let socket = socket(in: packet.namespace) else { return connection.close(.parseError) }
            guard let json = packet.json, let (name, arguments) = try? EventCoding.splitEvent(json) else { return }
            let ack = packet.id.map { Acknowledgement(id: $0, socket: socket) }
            let event = IncomingEvent(name: name, arguments: arguments, attachments: attachments, ack: ack)
            if !socket.receive(event) {
                logger.warning(
                    "Client is too far ahead of its event handler; closing",
                    metadata: ["sid": "\(connection.id)"]
                )
                connection.close(.forcedClose)
            }
        case .ack, .binaryAck:
            guard let socket = socket(in: packet.namespace), let id = packet.id, let json = packet.json,
                let arguments = try? EventCoding.splitAck(json)
            else { return }
            socket.resolveAck(id, reply: AckReply(arguments: arguments, attachments: attachments))
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
        let (attached, timer) = state.withLock { state -> (Bool, NIOScheduledCallback?) in
            guard !state.closed, state.sockets[socket.namespace.name] == nil else { return (false, nil) }
            state.sockets[socket.namespace.name] = socket
            defer { state.connectTimer = nil }
            return (true, state.connectTimer)
        }
        timer?.cancel()
        return attached
    }

    /// Removes the namespace connection; once none is left, the connect timeout runs again.
    func detach(namespace: String) -> Socket? {
        let (socket, idle) = state.withLock { state -> (Socket?, Bool) in
            let socket = state.sockets.removeValue(forKey: namespace)
            return (socket, socket != nil && state.sockets.isEmpty && !state.closed)
        }
        if idle { armConnectTimeout() }
        return socket
    }

    /// Counts a CONNECT in progress (its middleware may take a while): the session is not idle meanwhile.
    func beginConnect() {
        state.withLock { $0.connecting += 1 }
    }

    func endConnect() {
        state.withLock { $0.connecting -= 1 }
    }

    private var awaitsAttachments: Bool { state.withLock { $0.pendingBinary != nil } }

    /// Adds an attachment; returns the packet and its attachments once all have arrived, nil when none is expected.
    /// The attachments of one packet together stay within `maxPayload`.
    private func addAttachment(_ bytes: [UInt8]) -> PendingBinary?? {
        let limit = layer.configuration.engine.maxPayload
        return state.withLock { state in
            guard var pending = state.pendingBinary else { return nil }
            pending.attachments.append(bytes)
            guard pending.attachments.reduce(0, { $0 + $1.count }) <= limit else {
                state.pendingBinary = nil
                return nil
            }
            if pending.attachments.count == pending.packet.attachments {
                state.pendingBinary = nil
                return .some(pending)
            }
            state.pendingBinary = pending
            return .some(nil)
        }
    }

    // MARK: Connect timeout

    private func armConnectTimeout() {
        let delay = layer.configuration.connectTimeout
        let (seconds, attoseconds) = delay.components
        let amount = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        let timer = try? connection.eventLoop.scheduleCallback(in: amount, handler: ConnectTimer(client: self))
        let stale = state.withLock { state -> NIOScheduledCallback? in
            defer { state.connectTimer = timer }
            return state.connectTimer
        }
        stale?.cancel()
    }

    fileprivate func connectTimeoutFired() {
        let idle = state.withLock { $0.sockets.isEmpty && $0.connecting == 0 && !$0.closed }
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
