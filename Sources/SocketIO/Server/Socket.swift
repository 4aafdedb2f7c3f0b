import EngineIO
import HTTPTypes
import Logging
import NIOCore
import Synchronization

/// One client connected to one namespace (a Socket.IO "socket"), multiplexed on an Engine.IO session.
public final class Socket: Sendable, Hashable {
    /// The Socket.IO id, distinct from the Engine.IO session id; also the name of the socket's own room.
    public let id: String
    public let namespace: Namespace
    public let handshake: Handshake
    let client: SocketClient
    private let state = Mutex(State())

    private struct State {
        var data: (any Sendable)?
        var nextAckId = 0
        var pendingAcks: [Int: CheckedContinuation<AckReply, any Error>] = [:]
        var connected = true
        /// Received events not yet handled, oldest first.
        var queue: [IncomingEvent] = []
        /// Whether a task is handling the queue; at most one at a time, so events run one by one and in order.
        var handlingEvents = false
        var receiving = true
        /// Set once the socket is connected: from then on received events are handled.
        var handlingStarted = false
        /// The private session id of connection state recovery (nil when it is off).
        var pid: String?
        var recovered = false
        /// While a restored socket's missed packets are fetched, live broadcasts wait here (then go out after them).
        var held: [[EngineMessage]]?
        /// See `disconnect(at:)`.
        var disconnectDeadline: ContinuousClock.Instant?
    }

    init(id: String, namespace: Namespace, handshake: Handshake, client: SocketClient) {
        self.id = id
        self.namespace = namespace
        self.handshake = handshake
        self.client = client
    }

    public static func == (lhs: Socket, rhs: Socket) -> Bool { lhs === rhs }
    /// Hashes the socket's identity.
    /// - Parameter hasher: the hasher to feed.
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    /// Application data attached to the socket (for example the authenticated user).
    public var data: (any Sendable)? {
        get { state.withLock { $0.data } }
        set { state.withLock { $0.data = newValue } }
    }

    public var isConnected: Bool { state.withLock { $0.connected } }

    /// Whether connection state recovery restored this socket (same id, same rooms, missed events replayed).
    public var recovered: Bool { state.withLock { $0.recovered } }

    /// The Engine.IO session id the socket travels on.
    public var sessionId: String { client.connection.id }

    /// Emits an event to this socket only. With attachments it is a BINARY_EVENT whose arguments hold
    /// `{"_placeholder":true,"num":N}` where each attachment belongs.
    ///
    /// - Parameters:
    ///   - event: the event name.
    ///   - arguments: its arguments.
    ///   - attachments: binary attachments.
    public func emit(_ event: String, _ arguments: [JSONText] = [], attachments: [[UInt8]] = []) {
        let kind: SocketPacket.Kind = attachments.isEmpty ? .event : .binaryEvent
        send(
            SocketPacket(
                kind: kind,
                namespace: namespace.name,
                attachments: attachments.count,
                json: EventCoding.eventPayload(event, arguments)
            ),
            attachments: attachments
        )
    }

    /// Emits an event and waits for the client's acknowledgement, at most `timeout`.
    ///
    /// - Parameters:
    ///   - event: the event name.
    ///   - arguments: its arguments.
    ///   - timeout: how long to wait for the acknowledgement.
    /// - Returns: the acknowledgement's arguments.
    /// - Throws: when the timeout passes or the socket disconnects first.
    public func emitWithAck(_ event: String, _ arguments: [JSONText] = [], timeout: Duration) async throws -> AckReply {
        let id = state.withLock { state -> Int in
            defer { state.nextAckId += 1 }
            return state.nextAckId
        }
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.failAck(id, with: SocketError.ackTimeout)
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let connected = state.withLock { state -> Bool in
                guard state.connected else { return false }
                state.pendingAcks[id] = continuation
                return true
            }
            guard connected else {
                continuation.resume(throwing: SocketError.disconnected)
                return
            }
            send(
                SocketPacket(
                    kind: .event,
                    namespace: namespace.name,
                    id: id,
                    json: EventCoding.eventPayload(event, arguments)
                )
            )
        }
    }

    /// Adds the socket to a room.
    ///
    /// - Parameter room: the room name.
    public func join(_ room: String) {
        namespace.join(self, room)
        roomsChanged()
    }

    /// Removes the socket from a room.
    ///
    /// - Parameter room: the room name.
    public func leave(_ room: String) {
        namespace.leave(self, room)
        roomsChanged()
    }

    private func roomsChanged() {
        guard let pid = state.withLock({ $0.pid }), let store = namespace.recovery?.store else { return }
        store.roomsChanged(pid: pid, rooms: rooms.sorted())
    }

    /// The rooms the socket is in, its own room included.
    public var rooms: Set<String> { namespace.rooms(of: self) }

    /// Disconnects the socket from its namespace (the client sees "io server disconnect").
    public func disconnect() {
        guard isConnected else { return }
        send(SocketPacket(kind: .disconnect, namespace: namespace.name))
        if client.detach(namespace: namespace.name) != nil { didDisconnect(reason: .serverNamespaceDisconnect) }
    }

    /// Disconnects the socket (as `disconnect()`) when `deadline` passes, unless it left before: for example when
    /// the credentials it connected with expire. May be called from connect middleware: the timer starts once the
    /// CONNECT is answered (a restored socket takes the deadline over), on the event loop of the socket's session.
    ///
    /// - Parameter deadline: when to disconnect.
    public func disconnect(at deadline: ContinuousClock.Instant) {
        let armNow = state.withLock { state -> Bool in
            state.disconnectDeadline = deadline
            return state.handlingStarted
        }
        if armNow { armDisconnectDeadline() }
    }

    /// The deadline set with `disconnect(at:)`, if any.
    var disconnectDeadline: ContinuousClock.Instant? { state.withLock { $0.disconnectDeadline } }

    private func armDisconnectDeadline() {
        guard let deadline = disconnectDeadline else { return }
        let delay = TimeAmount(max(.zero, deadline - .now))
        _ = try? client.connection.eventLoop.scheduleCallback(in: delay, handler: DisconnectTimer(socket: self))
    }

    // MARK: Internal

    func send(_ packet: SocketPacket, attachments: [[UInt8]] = []) {
        let text = packet.encode()
        let messages: [EngineMessage] = [.text(text)] + attachments.map { .binary($0) }
        onOwnLoop { self.client.connection.send(messages) }
    }

    /// Runs `body` now on the event loop that serves the socket's transport, else as a job there: what one thread
    /// sends to a socket (direct emits and broadcasts alike) reaches it in the order that thread sent it, and the
    /// loops do not contend for the socket on every packet.
    func onOwnLoop(_ body: @escaping @Sendable () -> Void) {
        let loop = client.connection.executor.eventLoop
        if loop.inEventLoop { body() } else { loop.execute(body) }
    }

    /// Broadcasts held while a socket is restored, at most; past that the session is closed (the client
    /// reconnects and tries again) rather than holding more or sending them out of order.
    static let maxHeldBroadcasts = 1_024

    /// A broadcast for this socket: sent now, or after the missed packets while the socket is being restored.
    func deliver(_ messages: [EngineMessage]) {
        enum Outcome { case send, held, overflow }
        let outcome = state.withLock { state -> Outcome in
            guard let count = state.held?.count else { return .send }
            guard count < Self.maxHeldBroadcasts else { return .overflow }
            state.held?.append(messages)
            return .held
        }
        switch outcome {
        case .send: client.connection.send(messages)
        case .held: break
        case .overflow:
            SocketMetrics.limitHit("held_broadcasts")
            client.connection.close(.forcedClose)
        }
    }

    /// Recovery: from now on broadcasts wait until `release(missed:)`.
    func holdBroadcasts() {
        state.withLock { $0.held = [] }
    }

    func setRecovery(pid: String, recovered: Bool) {
        state.withLock { state in
            state.pid = pid
            state.recovered = recovered
        }
    }

    /// Sends the missed packets, then the broadcasts that arrived meanwhile (each once), then resumes live
    /// delivery. Returns how many missed packets went out.
    @discardableResult
    func release(missed: [String]) -> Int {
        state.withLock { state in
            let held = state.held ?? []
            state.held = nil
            let replayed = Set(missed)
            var messages = missed.map { EngineMessage.text($0) }
            for group in held {
                if case .text(let text) = group.first, replayed.contains(text) { continue }
                messages += group
            }
            // Under the lock, so that no live broadcast overtakes these.
            if !messages.isEmpty { client.connection.send(messages) }
            return missed.count
        }
    }

    var pid: String? { state.withLock { $0.pid } }

    /// Events received but not yet handled; a client that gets further ahead than this is cut off.
    static let maxQueuedEvents = 256

    /// Queues a received event for the socket's handler task; false when the queue is full. After
    /// `stopReceiving()` events are dropped (the client is about to be disconnected).
    ///
    /// The handler task exists only while there are events: it starts with the first one and ends when the queue
    /// is empty, so an idle connection holds no task.
    func receive(_ event: IncomingEvent) -> Bool {
        let outcome = state.withLock { state -> (accepted: Bool, start: Bool) in
            guard state.receiving else { return (true, false) }
            guard state.queue.count < Self.maxQueuedEvents else { return (false, false) }
            state.queue.append(event)
            guard !state.handlingEvents, state.handlingStarted else { return (true, false) }
            state.handlingEvents = true
            return (true, true)
        }
        if outcome.start { handleQueuedEvents() }
        return outcome.accepted
    }

    /// From now on, events run through the namespace's handlers, one at a time and in order, with
    /// `Logger.current` adding the socket's ids to what it logs.
    func startHandlingEvents() {
        let start = state.withLock { state -> Bool in
            state.handlingStarted = true
            guard !state.queue.isEmpty, !state.handlingEvents else { return false }
            state.handlingEvents = true
            return true
        }
        armDisconnectDeadline()
        if start { handleQueuedEvents() }
    }

    /// The task runs on the event loop of the socket's transport, where its acks are written. The socket's ids
    /// reach log lines through the layer's metadata provider (`SocketLayer.eventLogger`), computed only for a line
    /// that is written, so a connected socket keeps no logger of its own.
    private func handleQueuedEvents() {
        let logger = client.layer.eventLogger
        Task(executorPreference: client.connection.executor) {
            await Socket.$handling.withValue(self) {
                await withLogger(logger) { _ in
                    while let event = self.nextQueuedEvent() {
                        await self.namespace.handle(event, from: self)
                    }
                }
            }
        }
    }

    /// The socket whose events the current task handles.
    @TaskLocal static var handling: Socket?

    /// The ids a log line written while handling the socket's events carries.
    static let logMetadata = Logger.MetadataProvider {
        guard let socket = Socket.handling else { return [:] }
        return ["socket.id": .string(socket.id), "engine.sid": .string(socket.client.connection.id)]
    }

    /// The oldest queued event; nil (and the handler task ends) when there is none.
    private func nextQueuedEvent() -> IncomingEvent? {
        state.withLock { state in
            guard !state.queue.isEmpty else {
                state.handlingEvents = false
                return nil
            }
            return state.queue.removeFirst()
        }
    }

    /// Takes no more events; those already queued are still handled.
    func stopReceiving() {
        state.withLock { $0.receiving = false }
    }

    /// True while the handler task has queued or running events (or has not ended after `stopReceiving()`).
    var isHandlingEvents: Bool { state.withLock { $0.handlingEvents } }

    func resolveAck(_ id: Int, reply: AckReply) {
        let continuation = state.withLock { $0.pendingAcks.removeValue(forKey: id) }
        continuation?.resume(returning: reply)
    }

    private func failAck(_ id: Int, with error: SocketError) {
        let continuation = state.withLock { $0.pendingAcks.removeValue(forKey: id) }
        continuation?.resume(throwing: error)
    }

    func didDisconnect(reason: DisconnectReason) {
        let pending = state.withLock { state -> [CheckedContinuation<AckReply, any Error>]? in
            guard state.connected else { return nil }
            state.connected = false
            defer { state.pendingAcks.removeAll() }
            return Array(state.pendingAcks.values)
        }
        guard let pending else { return }
        stopReceiving()
        for continuation in pending { continuation.resume(throwing: SocketError.disconnected) }
        if let pid, let store = namespace.recovery?.store {
            if reason.isRecoverable { store.disconnected(pid: pid) } else { store.ended(pid: pid) }
        }
        SocketMetrics.disconnected(namespace.name, reason: reason)
        namespace.socketDisconnected(self, reason: reason)
    }
}

/// Disconnects its socket when it fires; nothing when the socket has left already.
private struct DisconnectTimer: NIOScheduledCallbackHandler, Sendable {
    let socket: Socket

    func handleScheduledCallback(eventLoop: some EventLoop) {
        socket.disconnect()
    }
}
