import Testing

@testable import EngineIO
@testable import SocketIO

@Suite struct ShutdownTests {
    /// A server with namespace `/chat` whose `slow` event acks after `delay`, and one connected polling session.
    func connectedServer(
        delay: Duration,
        drainTimeout: Duration = .seconds(5)
    ) async throws -> (
        SocketServer, EngineConnection
    ) {
        var configuration = SocketServerConfiguration()
        configuration.drainTimeout = drainTimeout
        let io = SocketServer(configuration: configuration)
        io.namespace("/chat").on("slow") { _, event in
            try? await Task.sleep(for: delay)
            event.ack?.send([.string("done")])
        }
        let (session, _) = try io.openTestSession()
        await io.receive([.message(.text("0/chat,"))], on: session)
        let connected = try await session.pull(over: .polling, timeout: .seconds(1))
        #expect(connected?.first?.text.hasPrefix("40/chat,{\"sid\":") == true)
        return (io, session)
    }

    @Test func eventsReceivedBeforeShutdownAreAckedBeforeTheTransportCloses() async throws {
        let (io, session) = try await connectedServer(delay: .milliseconds(200))
        await io.receive([.message(.text(#"2/chat,1["slow"]"#))], on: session)
        await io.shutdown()
        let packets = try await session.pull(over: .polling, timeout: .seconds(1))
        #expect(packets?.map(\.text) == [#"43/chat,1["done"]"#, "1"])
        #expect(session.closeReason == .serverShuttingDown)
    }

    @Test func theDrainIsBoundedByItsTimeout() async throws {
        let (io, session) = try await connectedServer(delay: .seconds(30), drainTimeout: .milliseconds(100))
        await io.receive([.message(.text(#"2/chat,1["slow"]"#))], on: session)
        let started = ContinuousClock.now
        await io.shutdown()
        // Well short of the handler's 30 s, and loose enough for a cooperative pool that other tests keep busy.
        #expect(ContinuousClock.now - started < .seconds(20))
        let packets = try await session.pull(over: .polling, timeout: .seconds(1))
        #expect(packets?.map(\.text) == ["1"])
    }

    @Test func noSessionsOrConnectionsAreAcceptedOnceStopping() async throws {
        let (io, session) = try await connectedServer(delay: .zero)
        await io.shutdown()
        #expect(!io.isAcceptingConnections)
        #expect(throws: EngineError.shuttingDown) { try io.openTestSession() }
        _ = session
    }
}
