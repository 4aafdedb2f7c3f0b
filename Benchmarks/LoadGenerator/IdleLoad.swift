import NIOCore

/// Idle connections: ramps up to `target` Socket.IO connections with at most `concurrency` handshakes in flight,
/// recording how long each took (TCP connect to namespace CONNECT accepted) and the server's memory as it grows.
final class IdleLoad: SocketIOClientDelegate {
    struct Sample: Codable, Sendable {
        var connections: Int
        var serverResidentBytes: Int
    }

    let loop: any EventLoop
    let connector: Connector
    let tokens: [String]
    let target: Int
    let concurrency: Int
    let serverPid: Int32?
    private(set) var clients: [SocketIOClient] = []
    private var startedAt: [UInt64]
    private var isConnected: [Bool]
    private var launched = 0
    private(set) var connected = 0
    private(set) var failures: [String: Int] = [:]
    private(set) var closedAfterConnect = 0
    private(set) var connectLatencies = Latencies()
    private(set) var samples: [Sample] = []
    private var ramp: EventLoopPromise<Void>?

    init(loop: any EventLoop, connector: Connector, tokens: [String], target: Int, concurrency: Int, serverPid: Int32?)
    {
        self.loop = loop
        self.connector = connector
        self.tokens = tokens
        self.target = target
        self.concurrency = concurrency
        self.serverPid = serverPid
        self.startedAt = Array(repeating: 0, count: target)
        self.isConnected = Array(repeating: false, count: target)
    }

    /// Opens the connections; the future completes when every one has connected or failed.
    func rampUp() -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        ramp = promise
        for _ in 0..<min(concurrency, target) { launchNext() }
        return promise.futureResult
    }

    /// Heartbeats answered so far, over every connection.
    var heartbeats: Int { clients.reduce(0) { $0 + $1.heartbeats } }

    var open: Int { isConnected.filter { $0 }.count }

    func closeAll() {
        for client in clients { client.close() }
    }

    private func launchNext() {
        guard launched < target else { return }
        let index = launched
        launched += 1
        startedAt[index] = monotonicNanoseconds()
        connector.socket(
            namespace: "/messages",
            token: tokens[index % tokens.count],
            seed: UInt32(truncatingIfNeeded: index &+ 7)
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
                clients.append(client)
            case .failure(let error):
                settled(failure: "\(error)")
            }
        }
    }

    private func settled(failure: String?) {
        if let failure { failures[failure, default: 0] += 1 } else { connected += 1 }
        let done = connected + failures.values.reduce(0, +)
        if done % 1000 == 0 || done == target, let serverPid, let stats = ProcessStats.read(pid: serverPid) {
            samples.append(Sample(connections: connected, serverResidentBytes: stats.residentBytes))
        }
        if done == target {
            let promise = ramp
            ramp = nil
            promise?.succeed()
        } else {
            launchNext()
        }
    }

    // MARK: SocketIOClientDelegate

    func clientConnected(_ client: SocketIOClient) {
        connectLatencies.record(monotonicNanoseconds() - startedAt[client.tag])
        isConnected[client.tag] = true
        settled(failure: nil)
    }

    func client(_ client: SocketIOClient, receivedAck id: Int, arguments: Substring) {}

    func client(_ client: SocketIOClient, receivedEvent packet: Substring) {}

    func client(_ client: SocketIOClient, closed reason: String) {
        if isConnected[client.tag] {
            isConnected[client.tag] = false
            closedAfterConnect += 1
        } else {
            settled(failure: reason)
        }
    }
}
