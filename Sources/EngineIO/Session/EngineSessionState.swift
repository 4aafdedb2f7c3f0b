/// The transport a session's packets travel on.
public enum EngineTransport: String, Equatable, Sendable {
    case polling
    case websocket
}

/// The protocol logic of one Engine.IO session as a value: transports, the outbound queue, upgrade and heartbeat.
///
/// Every event returns what the caller must do; the state itself performs no I/O and keeps no clock (times are
/// passed in), so it is tested without sockets or sleeps.
struct EngineSessionState {
    /// What a consumer (a polling GET or the WebSocket writer) gets when it asks for packets.
    enum Pull: Equatable {
        /// Write these now.
        case deliver([EnginePacket])
        /// Nothing queued: wait until `enqueue` or `close` resumes the consumer.
        case wait
        /// The request is not allowed (for example a second concurrent GET); the session is closed if `closes`.
        case reject(EngineError, closes: Bool)
        /// The session is over and everything was delivered.
        case finished
    }

    /// What to do with the waiting consumer after an event.
    enum Wake: Equatable {
        case none
        case resume([EnginePacket])
    }

    private(set) var transport: EngineTransport
    private(set) var closeReason: EngineCloseReason?
    /// A WebSocket answered the probe and waits for the upgrade packet.
    private(set) var upgrading = false
    private var queue: [EnginePacket] = []
    /// Bytes of the messages in `queue`, bounded by `maxQueuedBytes`.
    private var queuedBytes = 0
    private let maxQueuedBytes: Int?
    private var consumerWaiting = false
    private(set) var closeDelivered = false

    private let pingInterval: Duration
    private let pingTimeout: Duration
    private var nextPing: ContinuousClock.Instant
    private var pongDeadline: ContinuousClock.Instant?

    init(
        transport: EngineTransport,
        pingInterval: Duration,
        pingTimeout: Duration,
        maxQueuedBytes: Int? = nil,
        now: ContinuousClock.Instant
    ) {
        self.transport = transport
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.maxQueuedBytes = maxQueuedBytes
        self.nextPing = now + pingInterval
    }

    var isClosed: Bool { closeReason != nil }

    /// A consumer asks for packets over `transport`.
    mutating func pull(over requested: EngineTransport) -> Pull {
        if closeDelivered { return .finished }
        guard requested == transport else { return .reject(.badRequest, closes: false) }
        if consumerWaiting {
            // Two GETs at once for one session: the reference server closes the session.
            _ = close(.transportError)
            return .reject(.badRequest, closes: true)
        }
        if !queue.isEmpty || isClosed { return .deliver(drain()) }
        // While a WebSocket is being probed, a poll is answered at once so the client can pause polling and
        // send the upgrade packet (the reference server keeps sending noops for the same reason).
        if upgrading { return .deliver([.noop]) }
        consumerWaiting = true
        return .wait
    }

    /// The waiting consumer gave up (long-poll timeout, request cancelled): it takes nothing.
    mutating func consumerLeft() {
        consumerWaiting = false
    }

    /// Queues packets for the client; resumes the waiting consumer with them. When the messages waiting would pass
    /// `maxQueuedBytes`, the session is closed as a slow consumer instead (the queue is dropped: a client that
    /// does not read will not read it).
    mutating func enqueue(_ packets: some Sequence<EnginePacket>) -> Wake {
        guard !isClosed else { return .none }
        for packet in packets {
            if case .message(let message) = packet { queuedBytes += message.byteCount }
            queue.append(packet)
        }
        if let maxQueuedBytes, queuedBytes > maxQueuedBytes, !consumerWaiting {
            queue.removeAll()
            queuedBytes = 0
            return close(.slowConsumer)
        }
        return wakeConsumer()
    }

    /// The client's probe arrived on a WebSocket: answer `3probe` there and release the pending poll with a noop so
    /// the client can pause polling.
    mutating func probeReceived() -> Wake {
        guard transport == .polling, !isClosed else { return .none }
        upgrading = true
        guard consumerWaiting else { return .none }
        consumerWaiting = false
        return .resume([.noop])
    }

    /// The upgrade packet arrived: the WebSocket carries the session from now on.
    mutating func upgradeReceived() -> Wake {
        guard upgrading, !isClosed else { return .none }
        upgrading = false
        transport = .websocket
        guard consumerWaiting else { return .none }
        consumerWaiting = false
        return .resume([.noop])
    }

    /// The WebSocket that was probing went away before upgrading.
    mutating func upgradeAborted() {
        upgrading = false
    }

    /// A pong ends the wait for it, and the next ping is due a `pingInterval` from now (as the reference server
    /// refreshes its interval timer).
    mutating func pongReceived(now: ContinuousClock.Instant) {
        guard pongDeadline != nil else { return }
        pongDeadline = nil
        nextPing = now + pingInterval
    }

    /// When the heartbeat next needs `tick`: the pong deadline while a ping is unanswered, else the next ping.
    var nextHeartbeat: ContinuousClock.Instant? {
        isClosed ? nil : pongDeadline ?? nextPing
    }

    /// The heartbeat timer fired: send a ping when it is due, or close when a pong is overdue.
    mutating func tick(now: ContinuousClock.Instant) -> Wake {
        guard !isClosed else { return .none }
        if let pongDeadline {
            return now >= pongDeadline ? close(.pingTimeout) : .none
        }
        guard now >= nextPing else { return .none }
        nextPing = now + pingInterval
        pongDeadline = now + pingTimeout
        queue.append(.ping(""))
        return wakeConsumer()
    }

    /// Ends the session; a waiting consumer gets what is queued followed by a close packet when the server closes.
    mutating func close(_ reason: EngineCloseReason) -> Wake {
        guard !isClosed else { return .none }
        closeReason = reason
        if reason != .transportClose && reason != .transportError { queue.append(.close) }
        return wakeConsumer()
    }

    private mutating func wakeConsumer() -> Wake {
        guard consumerWaiting else { return .none }
        consumerWaiting = false
        return .resume(drain())
    }

    private mutating func drain() -> [EnginePacket] {
        let packets = queue
        queue.removeAll(keepingCapacity: false)
        queuedBytes = 0
        if isClosed { closeDelivered = true }
        return packets
    }
}
