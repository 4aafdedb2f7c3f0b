import NIOCore

/// The reconnect storm: `target` connections open and note their session (`sid`, `pid`); when the server goes away
/// every one reconnects at once (retrying until the server is back) and claims its session; each is counted as
/// recovered when the answer gives its `sid` and `pid` back.
final class StormLoad: SocketIOClientDelegate {
    enum Phase { case opening, holding, reconnecting, done }

    let loop: any EventLoop
    let connector: Connector
    let tokens: [String]
    let target: Int
    let concurrency: Int
    private(set) var phase = Phase.opening
    private var sessions: [(sid: Substring, pid: Substring)?]
    /// When each connection's latest attempt started.
    private var startedAt: [UInt64]
    private var launched = 0
    private var settledCount = 0
    private(set) var open = 0
    private(set) var recovered = 0
    private(set) var fresh = 0
    private(set) var failures: [String: Int] = [:]
    private(set) var retries = 0
    private(set) var reconnectLatencies = Latencies()
    /// When the first connection got its answer from the restarted server.
    private(set) var firstReconnectAt: UInt64?
    private(set) var lastRecoveredAt: UInt64?
    private var clients: [Int: SocketIOClient] = [:]
    /// Reconnect attempts of each connection so far.
    private var attempts: [Int]
    static let maxAttempts = 1200
    private var waiter: EventLoopPromise<Void>?

    init(loop: any EventLoop, connector: Connector, tokens: [String], target: Int, concurrency: Int) {
        self.loop = loop
        self.connector = connector
        self.tokens = tokens
        self.target = target
        self.concurrency = concurrency
        sessions = Array(repeating: nil, count: target)
        startedAt = Array(repeating: 0, count: target)
        attempts = Array(repeating: 0, count: target)
    }

    /// Opens every connection; completes when each is connected or failed.
    func openAll() -> EventLoopFuture<Void> { start(.opening) }

    /// Completes once every connection is closed (the server went away).
    func awaitClosed() -> EventLoopFuture<Void> {
        phase = .holding
        let promise = loop.makePromise(of: Void.self)
        if open == 0 { promise.succeed() } else { waiter = promise }
        return promise.futureResult
    }

    /// Reconnects every connection that had a session, claiming it; completes when each is settled.
    func reconnectAll() -> EventLoopFuture<Void> { start(.reconnecting) }

    func closeAll() {
        for client in clients.values { client.close() }
    }

    private func start(_ next: Phase) -> EventLoopFuture<Void> {
        phase = next
        launched = 0
        settledCount = 0
        let promise = loop.makePromise(of: Void.self)
        waiter = promise
        for _ in 0..<min(concurrency, target) { launchNext() }
        return promise.futureResult
    }

    private func launchNext() {
        guard launched < target else { return }
        let index = launched
        launched += 1
        launch(index)
    }

    private func launch(_ index: Int) {
        startedAt[index] = monotonicNanoseconds()
        let pid = phase == .reconnecting ? sessions[index].map { String($0.pid) } : nil
        connector.socket(
            namespace: "/messages",
            token: tokens[index % tokens.count],
            pid: pid,
            seed: UInt32(truncatingIfNeeded: index &+ 11)
        )
        .assumeIsolated()
        .whenComplete { [self] result in
            switch result {
            case .success(let channel):
                guard let client = try? channel.pipeline.syncOperations.handler(type: SocketIOClient.self) else {
                    return
                }
                client.tag = index
                client.delegate = self
                clients[index] = client
            case .failure(let error):
                // The server is not back yet: try again shortly, as a client's back-off would.
                guard phase == .reconnecting, attempts[index] < Self.maxAttempts else {
                    settle(index, failure: "\(error)")
                    return
                }
                attempts[index] += 1
                retries += 1
                loop.assumeIsolated().scheduleTask(in: .milliseconds(50)) { self.launch(index) }
            }
        }
    }

    private func settle(_ index: Int, failure: String?) {
        if let failure { failures[failure, default: 0] += 1 }
        settledCount += 1
        if settledCount == target {
            let promise = waiter
            waiter = nil
            promise?.succeed()
        } else {
            launchNext()
        }
    }

    // MARK: SocketIOClientDelegate

    func clientConnected(_ client: SocketIOClient) {
        let index = client.tag
        open += 1
        let answer = client.connectAnswer ?? ""
        let sid = Self.field("sid", in: answer)
        let pid = Self.field("pid", in: answer)
        if phase == .reconnecting {
            let now = monotonicNanoseconds()
            if firstReconnectAt == nil { firstReconnectAt = now }
            if let old = sessions[index], old.sid == sid, old.pid == pid {
                recovered += 1
            } else {
                fresh += 1
            }
            lastRecoveredAt = now
            // Measured from the moment the server answered again: how long a connection waited for its session.
            reconnectLatencies.record(now - (firstReconnectAt ?? now))
        } else if let sid, let pid {
            sessions[index] = (sid, pid)
        }
        settle(index, failure: nil)
    }

    func client(_ client: SocketIOClient, receivedAck id: Int, arguments: Substring) {}

    func client(_ client: SocketIOClient, receivedEvent packet: Substring) {}

    func client(_ client: SocketIOClient, closed reason: String) {
        let index = client.tag
        if clients[index] === client { clients[index] = nil }
        if client.connectAnswer != nil {
            open -= 1
            if phase == .holding, open == 0 {
                let promise = waiter
                waiter = nil
                promise?.succeed()
            }
        } else if phase == .reconnecting, attempts[index] < Self.maxAttempts {
            // Refused (503), reset or closed by a server that was still stopping, or not up yet: try again, as a
            // client's back-off would (for at most `maxAttempts` × 50 ms).
            attempts[index] += 1
            retries += 1
            loop.assumeIsolated().scheduleTask(in: .milliseconds(50)) { self.launch(index) }
        } else {
            settle(index, failure: reason)
        }
    }

    /// The string value of `"name":"…"` in a small JSON object.
    static func field(_ name: String, in json: Substring) -> Substring? {
        guard let range = json.range(of: "\"\(name)\":\"") else { return nil }
        let rest = json[range.upperBound...]
        return rest.firstIndex(of: "\"").map { rest[..<$0] }
    }
}
