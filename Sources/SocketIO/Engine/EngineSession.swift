import Synchronization

/// One Engine.IO session: the locked state machine plus the continuation of its waiting consumer.
///
/// Every transition runs under the lock and returns a `Wake`; the continuation is resumed after the lock is
/// released, so no code runs while the lock is held.
final class EngineSession: Sendable {
    let id: String
    let createdAt: ContinuousClock.Instant
    /// Headers and query of the request that opened the session.
    let handshake: Handshake
    private let state: Mutex<Locked>

    private struct Locked {
        var machine: EngineSessionState
        var consumer: CheckedContinuation<[EnginePacket]?, Never>?
        var consumerGeneration = 0
        /// Packets meant for a consumer that registered its wait but has not parked its continuation yet.
        var handoff: [EnginePacket]?
        /// The WebSocket transport's consumer: packets are pushed to it instead of pulled (see `push(over:to:)`).
        var sink: (@Sendable ([EnginePacket]?) -> Void)?
        /// The Socket.IO layer of the session: connected namespaces, binary packets awaiting attachments.
        var sockets: [String: Socket] = [:]
        var pendingBinary: PendingBinary?
        var connectedOnce = false
    }

    struct PendingBinary {
        var packet: SocketPacket
        var attachments: [[UInt8]]
    }

    init(
        id: String,
        transport: EngineSessionState.Transport,
        handshake: Handshake,
        pingInterval: Duration,
        pingTimeout: Duration
    ) {
        self.id = id
        self.handshake = handshake
        let now = ContinuousClock.now
        self.createdAt = now
        self.state = Mutex(
            Locked(
                machine: EngineSessionState(
                    transport: transport,
                    pingInterval: pingInterval,
                    pingTimeout: pingTimeout,
                    now: now
                )
            )
        )
    }

    var transport: EngineSessionState.Transport { state.withLock { $0.machine.transport } }
    var isClosed: Bool { state.withLock { $0.machine.isClosed } }
    var closeReason: DisconnectReason? { state.withLock { $0.machine.closeReason } }
    var isUpgrading: Bool { state.withLock { $0.machine.upgrading } }

    /// Waits for packets for the consumer of `transport`, at most `timeout` (nil: until there are some).
    ///
    /// Returns the packets, an empty list on timeout, or nil when the session is over.
    func pull(
        over transport: EngineSessionState.Transport,
        timeout: Duration?
    ) async throws(EngineError)
        -> [EnginePacket]?
    {
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
    /// event loop) and never call back into the session.
    func push(over transport: EngineSessionState.Transport, to sink: @escaping @Sendable ([EnginePacket]?) -> Void) {
        state.withLock { locked in
            locked.sink = sink
            Self.rearm(&locked, transport: transport, delivering: [])
        }
    }

    /// Asks the state machine for packets again after a delivery, so the pushing consumer stays registered.
    private static func rearm(
        _ locked: inout Locked,
        transport: EngineSessionState.Transport,
        delivering packets: [EnginePacket]
    ) {
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

    func send(_ packets: [EnginePacket]) {
        apply { $0.enqueue(packets) }
    }

    func probeReceived() { apply { $0.probeReceived() } }
    func upgradeReceived() { apply { $0.upgradeReceived() } }
    func upgradeAborted() { state.withLock { $0.machine.upgradeAborted() } }
    func received(_ packet: EnginePacket) { state.withLock { $0.machine.received(packet) } }
    func tick(now: ContinuousClock.Instant) { apply { $0.tick(now: now) } }

    /// Closes the session; returns false when it was already closed.
    @discardableResult
    func close(_ reason: DisconnectReason) -> Bool {
        var changed = false
        apply { machine in
            changed = !machine.isClosed
            return machine.close(reason)
        }
        return changed
    }

    private func apply(_ transition: (inout EngineSessionState) -> EngineSessionState.Wake) {
        let wake = state.withLock { locked -> (CheckedContinuation<[EnginePacket]?, Never>, [EnginePacket])? in
            guard case .resume(let packets) = transition(&locked.machine) else { return nil }
            if locked.sink != nil {
                Self.rearm(&locked, transport: locked.machine.transport, delivering: packets)
                return nil
            }
            guard let continuation = locked.consumer else {
                // The consumer is between registering its wait and parking: leave the packets for it.
                locked.handoff = (locked.handoff ?? []) + packets
                return nil
            }
            locked.consumer = nil
            return (continuation, packets)
        }
        if let (continuation, packets) = wake { continuation.resume(returning: packets) }
    }

    // MARK: Socket.IO layer

    func socket(in namespace: String) -> Socket? {
        state.withLock { $0.sockets[namespace] }
    }

    var sockets: [Socket] { state.withLock { Array($0.sockets.values) } }

    /// Registers a namespace connection; false when one exists for that namespace.
    func attach(_ socket: Socket) -> Bool {
        state.withLock { locked in
            guard locked.sockets[socket.namespace.name] == nil else { return false }
            locked.sockets[socket.namespace.name] = socket
            locked.connectedOnce = true
            return true
        }
    }

    func detach(namespace: String) -> Socket? {
        state.withLock { $0.sockets.removeValue(forKey: namespace) }
    }

    func detachAll() -> [Socket] {
        state.withLock { locked in
            let sockets = Array(locked.sockets.values)
            locked.sockets.removeAll()
            return sockets
        }
    }

    var hasConnectedNamespace: Bool { state.withLock { $0.connectedOnce } }

    /// Starts collecting the attachments of a binary packet.
    func beginBinary(_ packet: SocketPacket) {
        state.withLock { $0.pendingBinary = PendingBinary(packet: packet, attachments: []) }
    }

    /// Adds an attachment; returns the packet and its attachments once all have arrived. Nil when none is expected.
    func addAttachment(_ bytes: [UInt8]) -> PendingBinary?? {
        state.withLock { locked in
            guard var pending = locked.pendingBinary else { return nil }
            pending.attachments.append(bytes)
            if pending.attachments.count == pending.packet.attachments {
                locked.pendingBinary = nil
                return .some(pending)
            }
            locked.pendingBinary = pending
            return .some(nil)
        }
    }

    var awaitsAttachments: Bool { state.withLock { $0.pendingBinary != nil } }
}
