import ArgumentParser
import Foundation
import NIOCore

/// Scenario 4: the reconnect storm after a restart. Opens `target` connections, says `storm: holding` on standard
/// error and waits until the server goes away (the caller restarts it), then reconnects every connection at once
/// with its `pid` and reports how many got their session back and how long that took.
struct StormCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storm",
        abstract: "Reconnect storm: every connection comes back at once after a restart and claims its session."
    )

    struct Report: Codable, Sendable {
        var scenario = "storm"
        var target: Int
        var opened: Int
        var recovered: Int
        var fresh: Int
        var failures: [String: Int]
        var retries: Int
        /// From the restarted server's first CONNECT answer to the last (recovered or fresh).
        var secondsUntilAllRecovered: Double?
        /// Each connection's wait from the restarted server's first answer to its own.
        var reconnect: LatencySummary
    }

    @OptionGroup var server: ServerOptions
    @Option(help: "Connections.") var target = 5000
    @Option(help: "Handshakes in flight.") var concurrency = 256
    @Option(help: "Distinct users the connections authenticate as.") var users = 500

    func run() async throws {
        let harness = try await Harness(server)
        let loop = harness.loop
        var minted: [String] = []
        for user in 0..<users { minted.append(try await harness.tokens.token(for: "storm-\(user)")) }
        let (tokens, connector, target, concurrency) = (minted, harness.connector, target, concurrency)
        let load = try await loop.submit {
            NIOLoopBound(
                StormLoad(loop: loop, connector: connector, tokens: tokens, target: target, concurrency: concurrency),
                eventLoop: loop
            )
        }.get()
        try await loop.flatSubmit { load.value.openAll() }.get()
        let opened = try await loop.submit { load.value.open }.get()
        FileHandle.standardError.write(Data("storm: holding \(opened) connections\n".utf8))
        try await loop.flatSubmit { load.value.awaitClosed() }.get()
        FileHandle.standardError.write(Data("storm: server gone; reconnecting\n".utf8))
        try await loop.flatSubmit { load.value.reconnectAll() }.get()
        let report = try await loop.submit {
            let load = load.value
            let window = load.firstReconnectAt.flatMap { first in
                load.lastRecoveredAt.map { Double($0 - first) / 1e9 }
            }
            return Report(
                target: target,
                opened: opened,
                recovered: load.recovered,
                fresh: load.fresh,
                failures: load.failures,
                retries: load.retries,
                secondsUntilAllRecovered: window,
                reconnect: load.reconnectLatencies.summary
            )
        }.get()
        try await loop.submit { load.value.closeAll() }.get()
        try await Task.sleep(for: .seconds(1))
        try await harness.shutdown()
        try Harness.print(report)
    }
}
