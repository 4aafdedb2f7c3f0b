import ArgumentParser
import Foundation
import NIOCore

/// Scenario 1 and 2: the maximum persisted send rate (closed loop), then fixed rates below it (open loop), with
/// ack and delivery latencies.
struct SendsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sends",
        abstract: "send_message with acks between user pairs (Benchmarks/sql/seed-pairs.sql)."
    )

    struct Report: Codable, Sendable {
        var scenario = "sends"
        var pairs: Int
        var sockets: Int
        var window: Int
        var contentBytes: Int
        var phases: [SendLoad.PhaseResult]
    }

    @OptionGroup var server: ServerOptions
    @Option(help: "User pairs, each in its own conversation; two sockets per pair.") var pairs = 32
    @Option(help: "Sends in flight per socket in the closed-loop phase.") var window = 1
    @Option(help: "Seconds per measured phase.") var seconds = 10.0
    @Option(help: "Seconds of unmeasured warm-up.") var warmup = 2.0
    @Option(help: "Fixed rates as fractions of the measured maximum, comma-separated; a repeated one runs again.")
    var rates = "0.25,0.5,0.75"
    @Option(help: "Message content length in bytes.") var contentBytes = 100
    @Option(help: "A file for a timeline of each phase's acks (per 10 ms of send time, wall clock), to line up stalls.")
    var timeline: String?

    func run() async throws {
        let harness = try await Harness(server)
        let loop = harness.loop
        var minted: [String] = []
        for pair in 0..<pairs {
            minted.append(try await harness.tokens.token(for: "bench-c\(pair)"))
            minted.append(try await harness.tokens.token(for: "bench-f\(pair)"))
        }
        let tokens = minted
        let conversations = (0..<pairs).map(BenchData.conversationId(pair:))
        let runId = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let contentBytes = contentBytes
        let load = try await loop.submit {
            NIOLoopBound(
                SendLoad(loop: loop, conversations: conversations, runId: runId, contentBytes: contentBytes),
                eventLoop: loop
            )
        }.get()
        if let timeline {
            try await loop.submit { load.value.recordsTimeline = true }.get()
            _ = FileManager.default.createFile(atPath: timeline, contents: nil)
        }
        let connector = harness.connector
        try await loop.flatSubmit { load.value.connect(connector, tokens: tokens) }.get()

        let window = window
        try await loop.submit { load.value.startClosedLoop(window: window) }.get()
        try await Task.sleep(for: .seconds(warmup))
        var phases = [try await measure(harness, load, mode: "closed loop, \(window) in flight per socket", rate: nil)]
        let maximum = phases[0].throughput
        var runs: [Double: Int] = [:]
        for fraction in rates.split(separator: ",").compactMap({ Double($0) }) {
            let rate = (maximum * fraction).rounded()
            let count = runs[fraction, default: 0] + 1
            runs[fraction] = count
            let run = count > 1 ? ", run \(count)" : ""
            try await loop.submit { load.value.startOpenLoop(rate: rate) }.get()
            phases.append(
                try await measure(harness, load, mode: "fixed rate, \(Int(fraction * 100))% of max\(run)", rate: rate)
            )
        }
        try await loop.submit { load.value.closeAll() }.get()
        try await harness.shutdown()
        try Harness.print(
            Report(pairs: pairs, sockets: pairs * 2, window: window, contentBytes: contentBytes, phases: phases)
        )
    }

    /// Measures the running phase for `seconds`, stops it and waits for its last acks.
    private func measure(
        _ harness: Harness,
        _ load: NIOLoopBound<SendLoad>,
        mode: String,
        rate: Double?
    ) async throws -> SendLoad.PhaseResult {
        let before = server.stats()
        try await harness.loop.submit { load.value.reset() }.get()
        try await Task.sleep(for: .seconds(seconds))
        var result = try await harness.loop.submit { load.value.stop(mode: mode, offeredRate: rate) }.get()
        if let before, let after = server.stats() {
            result.serverCPU = (after.cpuSeconds - before.cpuSeconds) / result.seconds
        }
        if let timeline {
            let acks = try await harness.loop.submit { load.value.ackTimes }.get()
            try Self.appendTimeline(acks, phase: mode, to: timeline)
        }
        try await harness.wait(upTo: .seconds(10)) { load.value.outstanding == 0 }
        FileHandle.standardError.write(
            Data("sends: \(mode): \(Int(result.throughput))/s, ack p99 \(result.ack.p99) ms\n".utf8)
        )
        return result
    }

    /// Lines `phase<TAB>unix ms<TAB>sends<TAB>sends over 10 ms<TAB>slowest ack ms`, one per 10 ms window of send
    /// time that had sends.
    private static func appendTimeline(
        _ acks: [(sentAt: UInt64, latency: UInt64)],
        phase: String,
        to path: String
    ) throws {
        let wallOffset = Date().timeIntervalSince1970 * 1e3 - Double(monotonicNanoseconds()) / 1e6
        var windows: [UInt64: (count: Int, slow: Int, slowest: UInt64)] = [:]
        for ack in acks {
            let window = ack.sentAt / 10_000_000
            let old = windows[window] ?? (0, 0, 0)
            windows[window] = (
                old.count + 1, old.slow + (ack.latency > 10_000_000 ? 1 : 0), max(old.slowest, ack.latency)
            )
        }
        var text = ""
        for (window, value) in windows.sorted(by: { $0.key < $1.key }) {
            let wall = Int64(Double(window) * 10 + wallOffset)
            text += "\(phase)\t\(wall)\t\(value.count)\t\(value.slow)\t\(Double(value.slowest) / 1e6)\n"
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}
