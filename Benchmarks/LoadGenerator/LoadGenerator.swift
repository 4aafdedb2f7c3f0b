import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// Drives the messaging server with real Socket.IO (Engine.IO v4 over WebSocket) and HTTP/1.1 connections from one
/// event-loop thread, and prints what it measured as JSON.
@main
struct LoadGenerator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadgen",
        abstract: "Load generator for the messaging server; prints JSON figures.",
        discussion: "Signs its tokens with JWT_SECRET from the environment. Bench data: Benchmarks/sql/.",
        subcommands: [SendsCommand.self, IdleCommand.self, HistoryCommand.self, StormCommand.self]
    )
}

/// Where the server is, and how to read its memory and CPU.
struct ServerOptions: ParsableArguments {
    @Option(help: "Server host.") var host = "127.0.0.1"
    @Option(help: "Server port.") var port = 8000
    @Option(help: "The server's process id, to read its memory and CPU time from /proc.") var serverPid: Int32?

    func stats() -> ProcessStats? { serverPid.flatMap(ProcessStats.read(pid:)) }
}

/// One event-loop thread for every connection, so the generator's own work stays on one core.
struct Harness {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let loop: any EventLoop
    let connector: Connector
    let tokens: Tokens

    init(_ server: ServerOptions) async throws {
        loop = group.next()
        connector = Connector(loop: loop, host: server.host, port: server.port)
        guard let secret = ProcessInfo.processInfo.environment["JWT_SECRET"] else {
            throw LoadError("set JWT_SECRET to the server's secret")
        }
        tokens = try await Tokens(secret: secret)
        Self.raiseOpenFileLimit()
    }

    func shutdown() async throws {
        try await group.shutdownGracefully()
    }

    /// Raises the soft open-file limit to the hard one and returns it.
    @discardableResult
    static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(limit.rlim_cur)
    }

    /// The open-file limit of another process, from /proc/PID/limits.
    static func openFileLimit(pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") })
        else { return nil }
        return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first.flatMap { Int($0) }
    }

    static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Polls `condition` on the loop every 50 ms until it holds or `timeout` passes.
    func wait(upTo timeout: Duration, until condition: @escaping @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await loop.submit(condition).get() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// The bench data's conventions, shared with Benchmarks/sql/seed-pairs.sql: pair `i` is the contract
/// `bench-k<i>` between `bench-c<i>` (client) and `bench-f<i>` (freelancer), whose conversation has a fixed id.
enum BenchData {
    static func conversationId(pair: Int) -> String {
        "00000000-0000-7000-8000-" + String(repeating: "0", count: 12 - String(pair).count) + String(pair)
    }
}
