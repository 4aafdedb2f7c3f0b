import NIOCore

/// REST reads in a closed loop: each keep-alive connection sends the next request as soon as the last answer
/// arrived. Requests come round-robin from a prepared list of (path, token).
final class HistoryLoad {
    struct Request {
        var path: String
        var token: String
    }

    struct Result: Codable, Sendable {
        var name: String
        var connections: Int
        var seconds: Double
        var requests: Int
        var throughput: Double
        var failures: [String: Int]
        var latency: LatencySummary
        var responseBytes: Int
    }

    let loop: any EventLoop
    private var clients: [HTTPClient] = []
    private var requests: [Request] = []
    private var next = 0
    private var running = false
    private var generation = 0
    private var started: UInt64 = 0
    private var latencies = Latencies()
    private var failures: [String: Int] = [:]
    private var responseBytes = 0

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func connect(_ connector: Connector, count: Int) -> EventLoopFuture<Void> {
        let futures = (0..<count).map { _ in
            connector.http().assumeIsolated().flatMapThrowing { [self] channel in
                clients.append(try channel.pipeline.syncOperations.handler(type: HTTPClient.self))
            }.nonisolated()
        }
        return EventLoopFuture.andAllSucceed(futures, on: loop)
    }

    func closeAll() {
        for client in clients { client.close() }
    }

    func start(_ requests: [Request]) {
        self.requests = requests
        next = 0
        running = true
        generation += 1
        started = monotonicNanoseconds()
        latencies.removeAll()
        failures = [:]
        responseBytes = 0
        // A client still waiting for the last phase's answer joins in when that answer arrives.
        for client in clients where !client.isBusy { issue(on: client) }
    }

    func stop(name: String) -> Result {
        running = false
        let seconds = Double(monotonicNanoseconds() - started) / 1e9
        let count = latencies.samples.count
        return Result(
            name: name,
            connections: clients.count,
            seconds: seconds,
            requests: count,
            throughput: Double(count) / seconds,
            failures: failures,
            latency: latencies.summary,
            responseBytes: count == 0 ? 0 : responseBytes / count
        )
    }

    private func issue(on client: HTTPClient) {
        guard running else { return }
        let request = requests[next]
        next = (next + 1) % requests.count
        let sentAt = monotonicNanoseconds()
        let phase = generation
        client.get(request.path, token: request.token) { [self] result in
            guard phase == generation else {
                if running { issue(on: client) }
                return
            }
            guard running else { return }
            latencies.record(monotonicNanoseconds() - sentAt)
            switch result {
            case .success(let response) where response.status == 200:
                responseBytes += response.body.utf8.count
            case .success(let response):
                failures["HTTP \(response.status)", default: 0] += 1
            case .failure(let error):
                failures["\(error)", default: 0] += 1
                return
            }
            issue(on: client)
        }
    }
}
