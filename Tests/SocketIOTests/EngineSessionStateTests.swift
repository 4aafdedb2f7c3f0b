import Testing

@testable import SocketIO

@Suite struct EngineSessionStateTests {
    let start = ContinuousClock.now

    func makeState(_ transport: EngineSessionState.Transport = .polling) -> EngineSessionState {
        EngineSessionState(transport: transport, pingInterval: .seconds(25), pingTimeout: .seconds(20), now: start)
    }

    @Test func queuedPacketsAreDeliveredToTheNextPoll() {
        var state = makeState()
        #expect(state.enqueue([.message("a")]) == .none)
        #expect(state.pull(over: .polling) == .deliver([.message("a")]))
        #expect(state.pull(over: .polling) == .wait)
        #expect(state.enqueue([.message("b"), .message("c")]) == .resume([.message("b"), .message("c")]))
    }

    @Test func aSecondConcurrentPollClosesTheSession() {
        var state = makeState()
        #expect(state.pull(over: .polling) == .wait)
        #expect(state.pull(over: .polling) == .reject(.badRequest, closes: true))
        #expect(state.isClosed)
    }

    @Test func pollingOnAWebSocketSessionIsRejected() {
        var state = makeState(.websocket)
        #expect(state.pull(over: .polling) == .reject(.badRequest, closes: false))
        #expect(!state.isClosed)
    }

    @Test func upgradeReleasesThePendingPollAndSwitchesTransport() {
        var state = makeState()
        #expect(state.pull(over: .polling) == .wait)
        #expect(state.probeReceived() == .resume([.noop]))
        #expect(state.upgrading)
        #expect(state.enqueue([.message("during upgrade")]) == .none)
        #expect(state.upgradeReceived() == .none)
        #expect(state.transport == .websocket)
        #expect(state.pull(over: .polling) == .reject(.badRequest, closes: false))
        #expect(state.pull(over: .websocket) == .deliver([.message("during upgrade")]))
    }

    @Test func pollsDuringTheProbeAreAnsweredWithANoop() {
        var state = makeState()
        #expect(state.probeReceived() == .none)
        #expect(state.pull(over: .polling) == .deliver([.noop]))
        _ = state.enqueue([.message("queued")])
        #expect(state.pull(over: .polling) == .deliver([.message("queued")]))
    }

    @Test func upgradeWithoutProbeIsIgnored() {
        var state = makeState()
        #expect(state.upgradeReceived() == .none)
        #expect(state.transport == .polling)
    }

    @Test func heartbeatPingsThenClosesWithoutPong() {
        var state = makeState()
        #expect(state.pull(over: .polling) == .wait)
        #expect(state.tick(now: start + .seconds(24)) == .none)
        #expect(state.tick(now: start + .seconds(25)) == .resume([.ping("")]))
        #expect(state.tick(now: start + .seconds(44)) == .none)
        #expect(state.pull(over: .polling) == .wait)
        #expect(state.tick(now: start + .seconds(45)) == .resume([.close]))
        #expect(state.closeReason == .pingTimeout)
    }

    @Test func pongKeepsTheSessionAlive() {
        var state = makeState()
        _ = state.tick(now: start + .seconds(25))
        state.received(.pong(""))
        #expect(state.tick(now: start + .seconds(46)) == .none)
        #expect(!state.isClosed)
        #expect(state.pull(over: .polling) == .deliver([.ping("")]))
        #expect(state.pull(over: .polling) == .wait)
        #expect(state.tick(now: start + .seconds(50)) == .resume([.ping("")]))
    }

    @Test func serverCloseDeliversACloseThenFinishes() {
        var state = makeState(.websocket)
        _ = state.enqueue([.message("last")])
        #expect(state.close(.serverShuttingDown) == .none)
        #expect(state.pull(over: .websocket) == .deliver([.message("last"), .close]))
        #expect(state.pull(over: .websocket) == .finished)
        #expect(state.enqueue([.message("late")]) == .none)
    }

    @Test func clientCloseSendsNothingMore() {
        var state = makeState(.websocket)
        #expect(state.pull(over: .websocket) == .wait)
        #expect(state.close(.transportClose) == .resume([]))
        #expect(state.pull(over: .websocket) == .finished)
    }
}
