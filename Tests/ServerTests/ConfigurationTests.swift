import Configuration
import Foundation
import Testing

@testable import Server

@Suite struct ServerConfigurationTests {
    @Test func defaults() throws {
        let configuration = try ServerConfiguration(environment: [:])
        #expect(configuration.port == 8000)
        #expect(configuration.logLevel == .info)
    }

    @Test func wsPortIsAnAliasOfPort() throws {
        #expect(try ServerConfiguration(environment: ["WS_PORT": "9001"]).port == 9001)
        #expect(try ServerConfiguration(environment: ["WS_PORT": "9001", "PORT": "9002"]).port == 9002)
    }

    @Test func badValuesNameTheVariable() {
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["PORT": "eighty"]) }
        do {
            _ = try ServerConfiguration(environment: ["WS_PORT": "0"])
        } catch {
            #expect("\(error)".hasPrefix("WS_PORT must be"))
        }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["LOG_LEVEL": "loud"]) }
        for (name, value) in [
            ("DATABASE_POOL_SIZE", "0"), ("DATABASE_POOL_SIZE", "many"), ("DATABASE_KEEPALIVE_S", "-5"),
            ("DATABASE_KEEPALIVE_S", "soon"), ("EVENT_LOOP_THREADS", "0"), ("EVENT_LOOP_THREADS", "two"),
            ("EVENT_LOOP_THREADS", "5000"),
        ] {
            #expect {
                _ = try ServerConfiguration(environment: [name: value])
            } throws: { error in
                "\(error)".hasPrefix(name + " must be")
            }
        }
    }

    @Test func thePoolKeepsItsConnectionsWithoutKeepAliveQueriesUnlessAsked() throws {
        let defaults = try ServerConfiguration(environment: [:])
        #expect(defaults.databasePoolSize == 20)
        #expect(defaults.databaseKeepAlive == nil)
        let configured = try ServerConfiguration(
            environment: ["DATABASE_POOL_SIZE": "8", "DATABASE_KEEPALIVE_S": "30"]
        )
        #expect(configured.databasePoolSize == 8)
        #expect(configured.databaseKeepAlive == .seconds(30))
        #expect(try ServerConfiguration(environment: ["DATABASE_KEEPALIVE_S": "0"]).databaseKeepAlive == nil)
    }

    @Test func eventLoopThreadsDefaultToOnePerCoreUnlessSet() throws {
        #expect(try ServerConfiguration(environment: [:]).eventLoopThreads == nil)
        #expect(try ServerConfiguration(environment: ["EVENT_LOOP_THREADS": "1"]).eventLoopThreads == 1)
        #expect(try ServerConfiguration(environment: ["EVENT_LOOP_THREADS": "3"]).eventLoopThreads == 3)
    }
}

@Suite struct SettingsTests {
    static let readme = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("README.md")

    @Test func theReadmeTableIsTheOnePrintedFromTheDeclarations() throws {
        let readme = try String(contentsOf: Self.readme, encoding: .utf8)
        #expect(
            readme.contains(Settings.markdownTable),
            "README.md's configuration table differs from `messaging-server settings --markdown`: paste its output"
        )
    }

    @Test func everyNameIsDeclaredOnce() {
        let names = Settings.all.flatMap(\.names)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" } })
    }

    @Test func anEmptyValueIsUnset() throws {
        let configuration = try ServerConfiguration(environment: ["PORT": "", "LOG_LEVEL": "", "NODE_ID": ""])
        #expect(configuration.port == 8000)
        #expect(configuration.logLevel == .info)
        #expect(configuration.nodeId.hasPrefix("node-"))
    }

    @Test func aSecretIsNeverEchoed() {
        #expect {
            _ = try ServerConfiguration(environment: ["JWT_SECRET": "short-secret-value"])
        } throws: { error in
            "\(error)" == "JWT_SECRET must be at least 32 bytes long (HS256)" && !"\(error)".contains("short")
        }
    }

    @Test func theEnvironmentFileFillsWhatTheEnvironmentLeavesUnset() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString).env")
        try """
        # the design document's .env
        JWT_EXPIRATION=7d
        CORS_ORIGINS=http://localhost:3000,http://localhost:3001
        WS_PORT=8123
        MAX_BODY_BYTES=1024
        """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let reader = try await ConfigurationSources.reader(
            environment: ["ENV_FILE": file.path, "MAX_BODY_BYTES": "2048"]
        )
        let configuration = try ServerConfiguration(reader: reader)
        #expect(configuration.jwtExpiration == 7 * 86_400)
        #expect(configuration.corsOrigins == ["http://localhost:3000", "http://localhost:3001"])
        #expect(configuration.port == 8123)
        #expect(configuration.maxBodyBytes == 2048)
    }

    @Test func aMissingEnvironmentFileIsNoError() async throws {
        let reader = try await ConfigurationSources.reader(environment: ["ENV_FILE": "/nonexistent/settings.env"])
        #expect(try ServerConfiguration(reader: reader).port == 8000)
    }
}
