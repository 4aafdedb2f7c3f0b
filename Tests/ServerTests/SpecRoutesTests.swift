import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Server

@Suite struct SpecRoutesTests {
    static let specDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("api-spec")

    @Test(arguments: ["openapi.yaml", "asyncapi.yaml"])
    func servesTheSpecFileItWasBuiltFrom(file: String) async throws {
        let router = Router()
        router.addSpecRoutes()
        let onDisk = try String(contentsOf: Self.specDirectory.appendingPathComponent(file), encoding: .utf8)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/api/\(file)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml; charset=utf-8")
                let served = String(buffer: response.body)
                #expect(served.count == onDisk.count)
                #expect(served == onDisk)
            }
        }
    }
}

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
        #expect(try ServerConfiguration.eventLoopThreads(["EVENT_LOOP_THREADS": "3"]) == 3)
    }
}
