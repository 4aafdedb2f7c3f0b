import NIOCore
import Synchronization

/// One Engine.IO session: the locked state machine, the consumer of its outbound queue (a parked long-poll GET or
/// a WebSocket's event loop), its heartbeat timer and the receiver of its messages.
///
/// Every transition runs under the lock and returns a `Wake`; the continuation is resumed after the lock is
/// released, so no code runs while the lock is held.
public final class EngineConnection: Sendable {
    /// The session id (`sid`).
    public let id: String
    /// The request that opened the session.
    public let handshake: EngineHandshake
    let createdAt: ContinuousClock.Instant
    /// The loop the session's timers run on (its heartbeat, and those of the layer above).
    public let eventLoop: any EventLoop
    let server: EngineServer
    private let state: Mutex<Locked>

    private struct Locked {
        var machine: EngineSessionState
        var consumer: CheckedContinuation<[EnginePacket]?, Never>?
        var consumerGeneration = 0
        /// Packets meant for a consumer that registered its wait but has not parked its continuation yet.
        var handoff: [EnginePacket]?
        /// The WebSocket transport's consumer: packets are pushed to it instead of pulled (see `push(over:to:)`).
        var sink: (@Sendable ([EnginePacket]?) -> Void)?
        var handler: (any EngineConnectionHandler)?
        var executor: EventLoopExecutor
        var heartbeat: NIOScheduledCallback?
        /// A WebSocket connection is trying to upgrade the session (at most one at a time).
        var upgradeClaimed = false
        /// Closes the WebSocket that is trying to upgrade the session, should the session end first.
        var upgradeCloser: (@Sendable () -> Void)?
    }

    init(
        id: String,
        transport: EngineTransport,
        handshake: EngineHandshake,
        eventLoop: any EventLoop,
        server: EngineServer
    ) {
        self.id = id
        self.handshake = handshake
        self.eventLoop = eventLoop
        self.server = server
        let now = ContinuousClock.now
        self.createdAt = now
        self.state = Mutex(
            Locked(
                machine: EngineSessionState(
                    transport: transport,
                    pingInterval: server.configuration.pingInterval,
                    pingTimeout: server.configuration.pingTimeout,
                    maxQueuedBytes: server.configuration.maxOutboundBytes,
                    now: now
                ),
                executor: EventLoopExecutor.of(eventLoop)
            )
        )
    }

    // MARK: Public

    /// The transport the session's packets travel on now.
    public var transport: EngineTransport { state.withLock { $0.machine.transport } }
    public var isClosed: Bool { state.withLock { $0.machine.isClosed } }
    public var closeReason: EngineCloseReason? { state.withLock { $0.machine.closeReason } }

    /// The executor of the event loop that serves the session's transport: tasks that handle its messages run
    /// here, next to the writes of their answers.
    public var executor: EventLoopExecutor { state.withLock { $0.executor } }

    /// Whether the layer above accepted the session (for Socket.IO: it is connected to a namespace). Sessions not
    /// admitted count toward their address's `maxPendingSessionsPerAddress`.
    ///
    /// - Parameter admitted: true once accepted, false when no longer.
    public func setAdmitted(_ admitted: Bool) {
        server.setAdmitted(self, admitted)
    }

    /// Queues messages for the client, in order; nothing happens once the session is closed.
    ///
    /// - Parameter messages: text or binary messages, sent in this order.
    public func send(_ messages: [EngineMessage]) {
        enqueue(messages.lazy.map(EnginePacket.message))
    }

    /// Queues one message for the client.
    /// - Parameter message: a text or binary message.
    public func send(_ message: EngineMessage) {
        enqueue(CollectionOfOne(.message(message)))
    }

    /// Closes the session (the client gets a close packet); its handler hears `reason`.
    ///
    /// - Parameter reason: why, as the handler hears it (default: a forced close).
    public func close(_ reason: EngineCloseReason = .forcedClose) {
        server.close(self, reason)
    }

    // MARK: Handler and heartbeat

    func attach(_ handler: any EngineConnectionHandler) {
        state.withLock { $0.handler = handler }
    }

    var handler: (any EngineConnectionHandler)? { state.withLock { $0.handler } }

    /// Hands the handler over for its `closed` call and forgets it (and the heartbeat).
    func detachHandler() -> (any EngineConnectionHandler)? {
        let (handler, heartbeat) = state.withLock { locked in
            defer {
                locked.handler = nil
                locked.heartbeat = nil
            }
            return (locked.handler, locked.heartbeat)
        }
        heartbeat?.cancel()
        return handler
    }

    /// Schedules the heartbeat timer for the state machine's next deadline (replacing one already scheduled).
    func armHeartbeat() {
        state.withLock { locked in
            locked.heartbeat?.cancel()
            locked.heartbeat = nil
            guard let deadline = locked.machine.nextHeartbeat else { return }
            let delay = TimeAmount(max(.zero, deadline - .now))
            locked.heartbeat = try? eventLoop.scheduleCallback(in: delay, handler: HeartbeatTimer(connection: self))
        }
    }

    /// The heartbeat timer fired: ping, close on a missed pong, and arm the timer again.
    func heartbeatFired() {
        // A millisecond of slack: the timer's clock and `ContinuousClock` are not the same clock.
        apply { $0.tick(now: .now + .milliseconds(1)) }
        if let reason = closeReason {
            server.close(self, reason)
        } else {
            armHeartbeat()
        }
    }

    // MARK: Transports

    /// Waits for packets for the consumer of `transport`, at most `timeout` (nil: until there are some).
    ///
    /// Returns the packets, an empty list on timeout, or nil when the session is over.
    func pull(over transport: EngineTransport, timeout: Duration?) async throws(EngineError) -> [EnginePacket]? {
        let (pull, generation) = state.withLock { locked in
            let pull = locked.machine.pull(over: transport)
            if pull == .wait { locked.consumerGeneration += 1 }
            return (pull, locked.consumerGeneration)
        }
        switch pull {
        case .deliver(let packets): return packets
        case .finished: return nil
        case .reject(let error, let closes):
            // A second concurrent poll closed the session: the first one is answered too.
            if closes { releaseConsumer(with: []) }
            throw error
        case .wait: break
        }
        let timer = timeout.map { timeout in
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.releaseConsumer(generation: generation, with: [])
            }
        }
        defer { timer?.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate: [EnginePacket]?? = state.withLock { locked in
                    if let handoff = locked.handoff {
                        locked.handoff = nil
                        return .some(handoff)
                    }
                    // Released (timeout, cancellation) before it could park: answer at once.
                    guard locked.consumerGeneration == generation else { return .some([]) }
                    locked.consumer = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            releaseConsumer(generation: generation, with: [])
        }
    }

    /// Push mode, for the WebSocket transport: from now on `sink` gets the packets for the client as soon as they
    /// are queued, and nil once the session is over and everything was delivered. It is called with the session's
    /// lock held, which keeps the packets in order whatever thread queues them, so it must only hand them on (to an
    /// event loop) and never call back into the session. Handlers run on `eventLoop` from now on.
    func push(
        over transport: EngineTransport,
        on eventLoop: (any EventLoop)? = nil,
        to sink: @escaping @Sendable ([EnginePacket]?) -> Void
    ) {
        state.withLock { locked in
            locked.sink = sink
            if let eventLoop { locked.executor = EventLoopExecutor.of(eventLoop) }
            Self.rearm(&locked, transport: transport, delivering: [])
        }
    }

    /// Asks the state machine for packets again after a delivery, so the pushing consumer stays registered.
    private static func rearm(_ locked: inout Locked, transport: EngineTransport, delivering packets: [EnginePacket]) {
        guard let sink = locked.sink else { return }
        var packets = packets
        while true {
            switch locked.machine.pull(over: transport) {
            case .deliver(let more):
                packets += more
                continue
            case .wait:
                if !packets.isEmpty { sink(packets) }
            case .finished, .reject:
                if !packets.isEmpty { sink(packets) }
                locked.sink = nil
                sink(nil)
            }
            return
        }
    }

    /// Releases a waiting consumer of the given generation (timeout, cancellation, shutdown).
    func releaseConsumer(generation: Int? = nil, with packets: [EnginePacket]?) {
        let continuation = state.withLock { locked -> CheckedContinuation<[EnginePacket]?, Never>? in
            if let generation, generation != locked.consumerGeneration { return nil }
            locked.machine.consumerLeft()
            locked.consumerGeneration += 1
            let continuation = locked.consumer
            locked.consumer = nil
            return continuation
        }
        continuation?.resume(returning: packets)
    }

    func sendPackets(_ packets: [EnginePacket]) {
        enqueue(packets)
    }

    var isUpgrading: Bool { state.withLock { $0.machine.upgrading } }

    /// A WebSocket asks to upgrade the session; false when another one is already trying.
    func claimUpgrade() -> Bool {
        state.withLock { locked in
            guard !locked.upgradeClaimed, locked.machine.transport == .polling, !locked.machine.isClosed else {
                return false
            }
            locked.upgradeClaimed = true
            return true
        }
    }

    /// The upgrading WebSocket's way to be closed when the session ends before the upgrade; false (and nothing
    /// kept) when the session is over already.
    func whileUpgrading(close closer: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { locked in
            guard !locked.machine.isClosed else { return false }
            locked.upgradeCloser = closer
            return true
        }
    }

    func probeReceived() { apply { $0.probeReceived() } }
    func upgradeReceived() {
        apply { $0.upgradeReceived() }
        state.withLock { $0.upgradeCloser = nil }
    }
    func upgradeAborted() {
        state.withLock { locked in
            locked.machine.upgradeAborted()
            locked.upgradeClaimed = false
            locked.upgradeCloser = nil
        }
    }
    /// A pong: the next ping is due a `pingInterval` from now, so the timer moves there.
    func pongReceived() {
        state.withLock { $0.machine.pongReceived(now: .now) }
        armHeartbeat()
    }

    /// Closes the state machine; returns false when it was already closed.
    @discardableResult
    func closeState(_ reason: EngineCloseReason) -> Bool {
        var changed = false
        apply { machine in
            changed = !machine.isClosed
            return machine.close(reason)
        }
        if changed {
            // A WebSocket still trying to upgrade the session goes with it.
            let closer = state.withLock { locked in
                defer { locked.upgradeCloser = nil }
                return locked.upgradeCloser
            }
            closer?()
        }
        return changed
    }

    /// Queues packets; a client that lets too much wait for it (`maxOutboundBytes`) loses its session.
    private func enqueue(_ packets: some Sequence<EnginePacket>) {
        if apply({ $0.enqueue(packets) }) { server.close(self, .slowConsumer) }
    }

    /// Runs a transition and resumes the consumer it wakes; true when the transition closed the session.
    @discardableResult
    private func apply(_ transition: (inout EngineSessionState) -> EngineSessionState.Wake) -> Bool {
        var closedNow = false
        let wake = state.withLock { locked -> (CheckedContinuation<[EnginePacket]?, Never>, [EnginePacket])? in
            let wasClosed = locked.machine.isClosed
            let wake = transition(&locked.machine)
            closedNow = !wasClosed && locked.machine.isClosed
            guard case .resume(let packets) = wake else { return nil }
            if locked.sink != nil {
                Self.rearm(&locked, transport: locked.machine.transport, delivering: packets)
                return nil
            }
            guard let continuation = locked.consumer else {
                // The consumer is between registering its wait but has not parked: leave the packets for it.
                locked.handoff = (locked.handoff ?? []) + packets
                return nil
            }
            locked.consumer = nil
            return (continuation, packets)
        }
        if let (continuation, packets) = wake { continuation.resume(returning: packets) }
        return closedNow
    }
}

/// The heartbeat timer's callback: a value, so that arming it allocates nothing but the timer itself.
private struct HeartbeatTimer: NIOScheduledCallbackHandler, Sendable {
    let connection: EngineConnection

    func handleScheduledCallback(eventLoop: some EventLoop) {
        connection.heartbeatFired()
    }
}
