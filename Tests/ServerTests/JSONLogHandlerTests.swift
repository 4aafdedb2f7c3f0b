import Foundation
import Logging
import Synchronization
import Testing

@testable import Server

@Suite struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    func logger(_ lines: Lines, level: Logger.Level = .info) -> Logger {
        Logger(label: "test") { label in JSONLogHandler(label: label, level: level, write: lines.append) }
    }

    @Test func eachRecordIsOneJSONObjectWithMergedMetadata() throws {
        let lines = Lines()
        var logger = logger(lines)
        logger[metadataKey: "socket.id"] = "abc"
        logger[metadataKey: "user.id"] = "u1"
        logger.info("Socket \"connected\"\nnext line", metadata: ["user.id": "u2", "tags": ["a", "b"]])
        logger.debug("below the level")
        #expect(lines.all.count == 1)
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["logger"] as? String == "test")
        #expect(object["message"] as? String == "Socket \"connected\"\nnext line")
        #expect(object["socket.id"] as? String == "abc")
        #expect(object["user.id"] as? String == "u2")
        #expect(object["tags"] as? [String] == ["a", "b"])
        #expect((object["ts"] as? String)?.hasSuffix("Z") == true)
    }

    @Test func controlCharactersAreEscaped() {
        #expect(JSONLogHandler.quoted("a\u{01}b\tc\\") == #""a\u0001b\tc\\""#)
    }

    @Test func configurationReadsTheProductionSettings() throws {
        let configuration = try ServerConfiguration(environment: [
            "LOG_FORMAT": "JSON", "MAX_CONNECTIONS": "5", "MAX_BODY_BYTES": "1024", "SHUTDOWN_TIMEOUT_MS": "1500",
            "METRICS_TOKEN": "t", "DEMO_LOGIN": "true",
        ])
        #expect(configuration.logFormat == .json)
        #expect(configuration.maxConnections == 5)
        #expect(configuration.maxBodyBytes == 1024)
        #expect(configuration.shutdownTimeout == .milliseconds(1500))
        #expect(configuration.metricsToken == "t")
        #expect(configuration.demoLogin)
        #expect(try !ServerConfiguration(environment: [:]).demoLogin)
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["LOG_FORMAT": "xml"]) }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["MAX_BODY_BYTES": "0"]) }
    }
}
