import Testing

@testable import EngineIO

/// The engine between its transports and its handler: what reaches the handler, what closes a session, and why.
@Suite struct EngineServerTests {
    @Test func messagesReachTheHandlerInOrderAndAClosePacketEndsTheSessionAfterThem() async throws {
        let (server, handler) = EngineServer.recording()
        let session = try server.open()
        server.receive([.message(.text("a")), .pong(""), .message(.binary([1])), .noop], on: session)
        server.receive([.message(.text("b")), .close, .message(.text("after close"))], on: session)
        let recorded = try #require(handler.recorded(session))
        #expect(recorded.messages.withLock { $0 } == [.text("a"), .binary([1]), .text("b")])
        #expect(recorded.reasons.withLock { $0 } == [.transportClose])
        #expect(server.session(session.id) == nil)
        session.close()
        #expect(recorded.reasons.withLock { $0 } == [.transportClose])
    }

    @Test func aPingFromTheClientIsATransportError() async throws {
        let (server, handler) = EngineServer.recording()
        let session = try server.open()
        server.receive([.ping("")], on: session)
        #expect(handler.recorded(session)?.reasons.withLock { $0 } == [.transportError])
    }

    @Test func aMessageOverMaxPayloadIsAParseError() async throws {
        let (server, handler) = EngineServer.recording { $0.maxPayload = 4 }
        let session = try server.open()
        server.receive([.message(.text("12345"))], on: session)
        #expect(handler.recorded(session)?.reasons.withLock { $0 } == [.parseError])
        #expect(handler.recorded(session)?.messages.withLock { $0 } == [])
    }

    @Test func theSessionCeilingRefusesTheSessionPastIt() throws {
        let (server, _) = EngineServer.recording { $0.maxSessions = 2 }
        let first = try server.open()
        _ = try server.open(.websocket)
        #expect(throws: EngineError.atCapacity) { try server.open() }
        first.close()
        #expect(throws: Never.self) { try server.open() }
        server.stopAccepting()
        #expect(throws: EngineError.shuttingDown) { try server.open() }
    }

    @Test func oneWebSocketAtATimeMayUpgradeASession() throws {
        let (server, _) = EngineServer.recording()
        let session = try server.open()
        #expect(session.claimUpgrade())
        #expect(!session.claimUpgrade())
        session.upgradeAborted()
        #expect(session.claimUpgrade())
    }

    @Test func theHeartbeatTimerClosesASessionWhosePongIsLate() async throws {
        let (server, handler) = EngineServer.recording {
            $0.pingInterval = .milliseconds(40)
            $0.pingTimeout = .milliseconds(40)
        }
        let session = try server.open()
        let recorded = try #require(handler.recorded(session))
        // The ping is queued at 40 ms; without a pong the session ends at 80 ms. Waits up to 5 s for it.
        for _ in 0..<500 where recorded.reasons.withLock({ $0.isEmpty }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(recorded.reasons.withLock { $0 } == [.pingTimeout])
        let packets = try await session.pull(over: .polling, timeout: .seconds(1))
        #expect(packets == [.ping(""), .close])
    }

    @Test func theTimerPingsAgainAfterEachPong() async throws {
        // The pong deadline is far away, so that a busy machine cannot end the session: what is checked is that the
        // timer re-arms after each pong (EngineSessionStateTests checks the deadlines themselves).
        let (server, handler) = EngineServer.recording {
            $0.pingInterval = .milliseconds(50)
            $0.pingTimeout = .seconds(30)
        }
        let session = try server.open()
        for _ in 0..<5 {
            #expect(try await session.pull(over: .polling, timeout: .seconds(10)) == [.ping("")])
            server.receive([.pong("")], on: session)
        }
        #expect(handler.recorded(session)?.reasons.withLock { $0 } == [])
        session.close()
    }
}
