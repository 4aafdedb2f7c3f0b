import EngineIO
import NIOCore
import Synchronization

/// A CONNECT was refused: the client's `connect_error` gets `message` and `data`.
public struct ConnectRejection: Error, Sendable {
    public var message: String
    public var data: JSONText?

    /// - Parameters:
    ///   - message: the `connect_error` message.
    ///   - data: its `data`, if any.
    public init(message: String, data: JSONText? = nil) {
        self.message = message
        self.data = data
    }
}

/// A Socket.IO namespace: its handlers, its sockets and rooms, and broadcasting to them.
public final class Namespace: Sendable {
    public typealias Middleware = @Sendable (Socket) async throws -> Void
    public typealias ConnectionHandler = @Sendable (Socket) async -> Void
    public typealias EventHandler = @Sendable (Socket, IncomingEvent) async -> Void
    public typealias DisconnectHandler = @Sendable (Socket, DisconnectReason) async -> Void

    public let name: String
    let metrics: NamespaceMetrics
    private let handlers = Mutex(Handlers())
    private let table = Mutex(RoomTable())

    private struct Handlers {
        var middleware: [Middleware] = []
        var connection: [ConnectionHandler] = []
        var events: [String: EventHandler] = [:]
        var anyEvent: EventHandler?
        var disconnect: [DisconnectHandler] = []
        var adapter: any BroadcastAdapter = LocalAdapter()
        var recovery: ConnectionStateRecovery?
    }

    init(name: String) {
        self.name = name
        metrics = NamespaceMetrics(namespace: name)
    }

    // MARK: Configuration

    /// Runs before a CONNECT is accepted; throw `ConnectRejection` to refuse it (the client gets `connect_error`).
    ///
    /// - Parameter middleware: runs in the order added.
    public func use(_ middleware: @escaping Middleware) {
        handlers.withLock { $0.middleware.append(middleware) }
    }

    /// Runs after the CONNECT is accepted and answered.
    ///
    /// - Parameter handler: given the new socket.
    public func onConnection(_ handler: @escaping ConnectionHandler) {
        handlers.withLock { $0.connection.append(handler) }
    }

    /// Handles one event name. A socket's events are handled one at a time, in the order they arrived.
    ///
    /// - Parameters:
    ///   - event: the event name.
    ///   - handler: given the event (arguments and ack) and its socket.
    public func on(_ event: String, _ handler: @escaping EventHandler) {
        handlers.withLock { $0.events[event] = handler }
    }

    /// Handles every event that has no handler of its own.
    ///
    /// - Parameter handler: given the event and its socket.
    public func onAnyEvent(_ handler: @escaping EventHandler) {
        handlers.withLock { $0.anyEvent = handler }
    }

    /// Runs when a socket leaves the namespace.
    /// - Parameter handler: given the socket and why it left.
    public func onDisconnect(_ handler: @escaping DisconnectHandler) {
        handlers.withLock { $0.disconnect.append(handler) }
    }

    /// Replaces the broadcast adapter (for example with a multi-node one).
    public var adapter: any BroadcastAdapter {
        get { handlers.withLock { $0.adapter } }
        set { handlers.withLock { $0.adapter = newValue } }
    }

    /// Connection state recovery (off when nil): `pid`s in CONNECT answers, offsets on recoverable broadcasts,
    /// and sessions restored for clients that come back with `{pid, offset}`.
    public var recovery: ConnectionStateRecovery? {
        get { handlers.withLock { $0.recovery } }
        set { handlers.withLock { $0.recovery = newValue } }
    }

    // MARK: Broadcasting

    /// Emits an event to the sockets in `rooms` (every socket when empty) except those in `exceptRooms`, on every
    /// node the adapter reaches. The packet is encoded once. With recovery on, a `recoverable` event carries an
    /// offset as its last argument and is recorded for replay; others (typing indicators, say) are not replayed.
    ///
    /// - Parameters:
    ///   - event: the event name.
    ///   - arguments: its arguments.
    ///   - rooms: the rooms reached; empty for every socket.
    ///   - exceptRooms: sockets in any of these are left out.
    ///   - recoverable: whether a client that was away gets it on recovery.
    public func emit(
        _ event: String,
        _ arguments: [JSONText] = [],
        to rooms: [String] = [],
        except exceptRooms: [String] = [],
        recoverable: Bool = true
    )
        async throws
    {
        let (adapter, recovery) = handlers.withLock { ($0.adapter, $0.recovery) }
        let store = recoverable ? recovery?.store : nil
        let offset = store?.nextOffset()
        let json = EventCoding.eventPayload(event, offset.map { arguments + [.string($0)] } ?? arguments)
        let packet = SocketPacket(kind: .event, namespace: name, json: json)
        let message = BroadcastMessage(namespace: name, rooms: rooms, exceptRooms: exceptRooms, packet: packet.encode())
        if let store, let offset { store.record(message, offset: offset) }
        try await adapter.broadcast(message, from: self)
    }

    /// Delivers a broadcast to this node's sockets: the same packet text is queued on every recipient's session.
    /// Returns the number of sockets reached.
    ///
    /// - Parameter message: a broadcast of this namespace.
    @discardableResult
    public func deliver(_ message: BroadcastMessage) -> Int {
        let recipients = table.withLock { $0.recipients(rooms: message.rooms, except: message.exceptRooms) }
        let messages: [EngineMessage] = [.text(message.packet)] + message.attachments.map { .binary($0) }
        // Recipients served by this thread's event loop get the packet now; those of each other loop in one job
        // there (as `Socket.send` does for one socket), so the loops do not contend for every recipient.
        var elsewhere: [ObjectIdentifier: (any EventLoop, [Socket])] = [:]
        for socket in recipients {
            let loop = socket.client.connection.executor.eventLoop
            if loop.inEventLoop {
                socket.deliver(messages)
            } else {
                elsewhere[ObjectIdentifier(loop), default: (loop, [])].1.append(socket)
            }
        }
        for (loop, sockets) in elsewhere.values {
            loop.execute { for socket in sockets { socket.deliver(messages) } }
        }
        metrics.broadcastRecipients.record(recipients.count)
        return recipients.count
    }

    // MARK: Introspection

    /// Every socket connected to the namespace on this node.
    public var allSockets: [Socket] { table.withLock { Array($0.sockets.values) } }

    func socket(id: String) -> Socket? { table.withLock { $0.sockets[id] } }

    /// The sockets in `room` on this node.
    /// - Parameter room: a room name (a socket id names its own room).
    public func sockets(in room: String) -> [Socket] {
        table.withLock { table in table.members(of: room).compactMap { table.sockets[$0] } }
    }

    // MARK: Internal

    func join(_ socket: Socket, _ room: String) { table.withLock { $0.join(socket.id, room) } }
    func leave(_ socket: Socket, _ room: String) { table.withLock { $0.leave(socket.id, room) } }
    func rooms(of socket: Socket) -> Set<String> { table.withLock { $0.rooms(of: socket.id) } }

    /// Runs the middleware chain; the first rejection wins.
    func admit(_ socket: Socket) async throws {
        for middleware in handlers.withLock({ $0.middleware }) { try await middleware(socket) }
    }

    /// Adds the socket to the namespace (in `rooms` too, for a restored one) before its CONNECT is answered.
    func add(_ socket: Socket, rooms: [String] = []) {
        table.withLock { table in
            table.add(socket)
            for room in rooms where room != socket.id { table.join(socket.id, room) }
        }
    }

    func connected(_ socket: Socket) async {
        for handler in handlers.withLock({ $0.connection }) { await handler(socket) }
    }

    func handle(_ event: IncomingEvent, from socket: Socket) async {
        let handler = handlers.withLock { $0.events[event.name] ?? $0.anyEvent }
        await handler?(socket, event)
    }

    func socketDisconnected(_ socket: Socket, reason: DisconnectReason) {
        // A restored socket may have taken this id over: only this socket's entry goes.
        table.withLock { table in if table.sockets[socket.id] === socket { table.remove(socket.id) } }
        let disconnectHandlers = handlers.withLock { $0.disconnect }
        guard !disconnectHandlers.isEmpty else { return }
        Task(executorPreference: socket.client.connection.executor) {
            for handler in disconnectHandlers { await handler(socket, reason) }
        }
    }
}
