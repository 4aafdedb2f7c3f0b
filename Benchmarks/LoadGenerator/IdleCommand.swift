import ArgumentParser
import Foundation
import NIOCore

/// Scenario 3: as many idle Socket.IO connections as the open-file limits allow, held with heartbeats; the
/// server's memory per connection and the connect latency during the ramp.
struct IdleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "Idle connections: ramp, hold with heartbeats, memory per connection."
    )

    struct Report: Codable, Sendable {
        var scenario = "idle"
        var openFileLimit: Int
        var target: Int
        var connected: Int
        var failures: [String: Int]
        var rampSeconds: Double
        var connect: LatencySummary
        var holdSeconds: Double
        var heartbeatsAnswered: Int
        var closedDuringHold: Int
        var openAfterHold: Int
        var serverResidentBefore: Int?
        var serverResidentAfterRamp: Int?
        var serverResidentAfterHold: Int?
        var bytesPerConnection: Int?
        var samples: [IdleLoad.Sample]
    }

    @OptionGroup var server: ServerOptions
    @Option(help: "Connections to open (default: the lower open-file limit of server and generator, less 100).")
    var target: Int?
    @Option(help: "Handshakes in flight during the ramp.") var concurrency = 64
    @Option(help: "Seconds to hold the connections open.") var hold = 30.0
    @Option(help: "Distinct users the connections authenticate as.") var users = 100

    func run() async throws {
        let harness = try await Harness(server)
        let loop = harness.loop
        let ownLimit = Harness.raiseOpenFileLimit()
        let serverLimit = server.serverPid.flatMap(Harness.openFileLimit(pid:)) ?? ownLimit
        let limit = min(ownLimit, serverLimit)
        let target = target ?? max(limit - 100, 1)
        var minted: [String] = []
        for user in 0..<users { minted.append(try await harness.tokens.token(for: "idle-\(user)")) }

        let tokens = minted
        let before = server.stats()
        let connector = harness.connector
        let (concurrency, serverPid) = (concurrency, server.serverPid)
        let load = try await loop.submit {
            NIOLoopBound(
                IdleLoad(
                    loop: loop,
                    connector: connector,
                    tokens: tokens,
                    target: target,
                    concurrency: concurrency,
                    serverPid: serverPid
                ),
                eventLoop: loop
            )
        }.get()
        let rampStart = ContinuousClock.now
        try await loop.flatSubmit { load.value.rampUp() }.get()
        let rampSeconds = (ContinuousClock.now - rampStart).seconds
        let afterRamp = server.stats()
        FileHandle.standardError.write(Data("idle: ramp done in \(rampSeconds) s; holding \(hold) s\n".utf8))
        try await Task.sleep(for: .seconds(hold))
        let afterHold = server.stats()
        let report = try await loop.submit {
            Self.report(
                of: load.value,
                limit: limit,
                target: target,
                rampSeconds: rampSeconds,
                holdSeconds: hold,
                resident: (before?.residentBytes, afterRamp?.residentBytes, afterHold?.residentBytes)
            )
        }.get()
        try await loop.submit { load.value.closeAll() }.get()
        try await Task.sleep(for: .seconds(1))
        try await harness.shutdown()
        try Harness.print(report)
    }
}

extension IdleCommand {
    /// The figures of a finished hold; the server's resident bytes before the ramp, after it and after the hold.
    static func report(
        of load: IdleLoad,
        limit: Int,
        target: Int,
        rampSeconds: Double,
        holdSeconds: Double,
        resident: (before: Int?, afterRamp: Int?, afterHold: Int?)
    ) -> Report {
        Report(
            openFileLimit: limit,
            target: target,
            connected: load.connected,
            failures: load.failures,
            rampSeconds: rampSeconds,
            connect: load.connectLatencies.summary,
            holdSeconds: holdSeconds,
            heartbeatsAnswered: load.heartbeats,
            closedDuringHold: load.closedAfterConnect,
            openAfterHold: load.open,
            serverResidentBefore: resident.before,
            serverResidentAfterRamp: resident.afterRamp,
            serverResidentAfterHold: resident.afterHold,
            bytesPerConnection: resident.before.flatMap { before in
                resident.afterHold.map { ($0 - before) / max(load.connected, 1) }
            },
            samples: load.samples
        )
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
