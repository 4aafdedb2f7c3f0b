import NIOCore

/// Persisted `send_message` with acks between user pairs: both users of pair `i` connect, join conversation `i`
/// and send to each other, either closed-loop (a fixed number of sends in flight per socket) or open-loop at a
/// fixed total rate. Ack latency runs from writing the event to reading its ack; delivery latency from the
/// sender's timestamp (carried in the content) to the other participant reading `new_message`.
final class SendLoad: SocketIOClientDelegate {
    struct Peer {
        var client: SocketIOClient?
        var conversationId: String
        var joinAckId: Int?
        var pending: [Int: UInt64] = [:]
        var sequence = 0
    }

    struct PhaseResult: Codable, Sendable {
        var mode: String
        var offeredRate: Double?
        var seconds: Double
        var acked: Int
        var throughput: Double
        var errors: [String: Int]
        var ack: LatencySummary
        var delivery: LatencySummary
        var serverCPU: Double?
    }

    let loop: any EventLoop
    let runId: String
    let padding: String
    private var peers: [Peer]
    private var connecting: EventLoopPromise<Void>?
    private var joinsLeft: Int
    private var measuring = false
    private var window = 0
    private var phaseStart: UInt64 = 0
    private var acked = 0
    private var errors: [String: Int] = [:]
    private var ackLatencies = Latencies()
    /// Every ack of the phase as (sent at, latency), for `--timeline`.
    private(set) var ackTimes: [(sentAt: UInt64, latency: UInt64)] = []
    var recordsTimeline = false
    private var deliveryLatencies = Latencies()
    private var ticker: Scheduled<Void>?
    private var issued = 0
    private var nextPeer = 0

    init(loop: any EventLoop, conversations: [String], runId: String, contentBytes: Int) {
        self.loop = loop
        self.runId = runId
        self.padding = String(repeating: "x", count: max(contentBytes - 40, 0))
        self.peers = conversations.flatMap { [Peer(conversationId: $0), Peer(conversationId: $0)] }
        self.joinsLeft = peers.count
    }

    /// Connects every socket (token `i` for socket `i`) and joins its conversation.
    func connect(_ connector: Connector, tokens: [String]) -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        connecting = promise
        for index in peers.indices {
            connector.socket(namespace: "/messages", token: tokens[index], seed: UInt32(index + 1) &* 2_654_435_761)
                .assumeIsolated()
                .whenComplete { [self] result in
                    switch result {
                    case .success(let channel):
                        guard let client = try? channel.pipeline.syncOperations.handler(type: SocketIOClient.self)
                        else { return }
                        client.tag = index
                        client.delegate = self
                        peers[index].client = client
                    case .failure(let error):
                        finishConnecting(.failure(error))
                    }
                }
        }
        return promise.futureResult
    }

    func startClosedLoop(window: Int) {
        reset()
        self.window = window
        for index in peers.indices {
            for _ in 0..<window { send(from: index) }
        }
    }

    func startOpenLoop(rate: Double) {
        reset()
        window = 0
        issued = 0
        scheduleTick(rate: rate)
    }

    /// Every millisecond, sends what the rate makes due by now.
    private func scheduleTick(rate: Double) {
        ticker = loop.assumeIsolated().scheduleTask(in: .milliseconds(1)) { [self] in
            tick(rate: rate)
            scheduleTick(rate: rate)
        }
    }

    /// Clears the counters: what follows is measured.
    func reset() {
        measuring = true
        phaseStart = monotonicNanoseconds()
        acked = 0
        errors = [:]
        ackLatencies.removeAll()
        ackTimes.removeAll(keepingCapacity: true)
        deliveryLatencies.removeAll()
    }

    func stop(mode: String, offeredRate: Double?) -> PhaseResult {
        let seconds = Double(monotonicNanoseconds() - phaseStart) / 1e9
        measuring = false
        window = 0
        ticker?.cancel()
        ticker = nil
        return PhaseResult(
            mode: mode,
            offeredRate: offeredRate,
            seconds: seconds,
            acked: acked,
            throughput: Double(acked) / seconds,
            errors: errors,
            ack: ackLatencies.summary,
            delivery: deliveryLatencies.summary,
            serverCPU: nil
        )
    }

    /// Sends still waiting for their ack.
    var outstanding: Int { peers.reduce(0) { $0 + $1.pending.count } }

    func closeAll() {
        for peer in peers { peer.client?.close() }
    }

    private func tick(rate: Double) {
        let due = Int(Double(monotonicNanoseconds() - phaseStart) / 1e9 * rate) - issued
        guard due > 0 else { return }
        for _ in 0..<due {
            send(from: nextPeer)
            nextPeer = (nextPeer + 1) % peers.count
        }
        issued += due
    }

    private func send(from index: Int) {
        guard let client = peers[index].client else { return }
        let now = monotonicNanoseconds()
        peers[index].sequence += 1
        // The clock reading is glued to a letter: a bare run of digits after the sender's number would read as a
        // phone number to the contact filter, which masks it.
        let argument =
            #"{"conversationId":"\#(peers[index].conversationId)","content":"bench \#(index) t\#(now) \#(padding)","#
            + #""clientMessageId":"\#(runId)-\#(index)-\#(peers[index].sequence)"}"#
        if let id = client.emit("send_message", json: argument, ack: true) {
            peers[index].pending[id] = now
        }
    }

    // MARK: SocketIOClientDelegate

    func clientConnected(_ client: SocketIOClient) {
        let index = client.tag
        peers[index].joinAckId = client.emit(
            "join_conversation",
            json: #"{"conversationId":"\#(peers[index].conversationId)"}"#,
            ack: true
        )
    }

    func client(_ client: SocketIOClient, receivedAck id: Int, arguments: Substring) {
        let index = client.tag
        let success = arguments.hasPrefix(#"[{"#) && arguments.contains(#""success":true"#)
        if id == peers[index].joinAckId {
            peers[index].joinAckId = nil
            guard success else {
                finishConnecting(.failure(LoadError("join_conversation refused: \(arguments.prefix(200))")))
                return
            }
            joinsLeft -= 1
            if joinsLeft == 0 { finishConnecting(.success(())) }
            return
        }
        guard let sentAt = peers[index].pending.removeValue(forKey: id), measuring else { return }
        let latency = monotonicNanoseconds() - sentAt
        ackLatencies.record(latency)
        if recordsTimeline { ackTimes.append((sentAt, latency)) }
        if success {
            acked += 1
        } else {
            errors[Self.errorCode(in: arguments), default: 0] += 1
        }
        if window > 0 { send(from: index) }
    }

    func client(_ client: SocketIOClient, receivedEvent packet: Substring) {
        guard measuring, packet.hasPrefix(#"["new_message""#),
            let marker = packet.firstRange(of: #""content":"bench "#)
        else { return }
        let fields = packet[marker.upperBound...].prefix(48).split(separator: " ")
        guard fields.count >= 2, let sender = Int(fields[0]), fields[1].first == "t",
            let sentAt = UInt64(fields[1].dropFirst()), sender != client.tag
        else { return }
        deliveryLatencies.record(monotonicNanoseconds() - sentAt)
    }

    func client(_ client: SocketIOClient, closed reason: String) {
        finishConnecting(.failure(LoadError("socket \(client.tag) closed: \(reason)")))
        if measuring { errors["closed: \(reason)", default: 0] += 1 }
    }

    private func finishConnecting(_ result: Result<Void, any Error>) {
        let promise = connecting
        connecting = nil
        promise?.completeWith(result)
    }

    static func errorCode(in ack: Substring) -> String {
        guard let range = ack.firstRange(of: #""code":""#) else { return "unknown" }
        return String(ack[range.upperBound...].prefix(while: { $0 != "\"" }))
    }
}
