import ArgumentParser
import Foundation
import NIOCore

/// Scenario 4: history reads over REST with many messages stored: the newest page, a page before a cursor deep
/// in the history, the conversation list, and (with search samples) a one-word message search.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "REST history pages and conversation lists (Benchmarks/sql/seed-history.sql)."
    )

    struct Report: Codable, Sendable {
        var scenario = "history"
        var results: [HistoryLoad.Result]
    }

    @OptionGroup var server: ServerOptions
    @Option(help: "File of lines 'conversationId userId messageId' to read with.") var samples: String
    @Option(help: "Keep-alive connection counts to measure with, comma-separated; one request in flight on each.")
    var connections = "1,4"
    @Option(help: "Seconds per request kind.") var seconds = 10.0
    @Option(help: "Messages per page.") var limit = 50
    @Option(help: "File of lines 'userId word' to search with (Benchmarks/sql/search-samples.sql).")
    var searchSamples: String?

    func run() async throws {
        let harness = try await Harness(server)
        let loop = harness.loop
        let lines = try String(contentsOfFile: samples, encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: " ").map(String.init) }
            .filter { $0.count == 3 }
        guard !lines.isEmpty else { throw LoadError("no samples in \(samples)") }
        let searches = try searchSamples.map {
            try String(contentsOfFile: $0, encoding: .utf8).split(separator: "\n")
                .map { $0.split(separator: " ").map(String.init) }
                .filter { $0.count == 2 }
        }
        var tokens: [String: String] = [:]
        for user in Set(lines.map { $0[1] } + (searches ?? []).map { $0[0] }) {
            tokens[user] = try await harness.tokens.token(for: user)
        }

        let limit = limit
        var kinds: [(String, [HistoryLoad.Request])] = [
            (
                "newest \(limit) messages of a conversation",
                lines.map {
                    .init(path: "/api/messages/conversations/\($0[0])/messages?limit=\(limit)", token: tokens[$0[1]]!)
                }
            ),
            (
                "\(limit) messages before a cursor",
                lines.map {
                    .init(
                        path: "/api/messages/conversations/\($0[0])/messages?limit=\(limit)&before=\($0[2])",
                        token: tokens[$0[1]]!
                    )
                }
            ),
            (
                "conversation list (20 per page)",
                lines.map { .init(path: "/api/messages/conversations?limit=20", token: tokens[$0[1]]!) }
            ),
        ]
        if let searches, !searches.isEmpty {
            kinds.append(
                (
                    "search, one word (20 per page)",
                    searches.map { .init(path: "/api/messages/search?q=\($0[1])&limit=20", token: tokens[$0[0]]!) }
                )
            )
        }
        let connector = harness.connector
        var results: [HistoryLoad.Result] = []
        for count in connections.split(separator: ",").compactMap({ Int($0) }) {
            let load = try await loop.submit { NIOLoopBound(HistoryLoad(loop: loop), eventLoop: loop) }.get()
            try await loop.flatSubmit { load.value.connect(connector, count: count) }.get()
            for (name, requests) in kinds {
                let requests = requests.shuffled()
                try await loop.submit { load.value.start(requests) }.get()
                try await Task.sleep(for: .seconds(seconds))
                let result = try await loop.submit { load.value.stop(name: name) }.get()
                FileHandle.standardError.write(
                    Data("history: \(name), \(count) connections: p99 \(result.latency.p99) ms\n".utf8)
                )
                results.append(result)
                try await Task.sleep(for: .milliseconds(200))
            }
            try await loop.submit { load.value.closeAll() }.get()
        }
        try await harness.shutdown()
        try Harness.print(Report(results: results))
    }
}
