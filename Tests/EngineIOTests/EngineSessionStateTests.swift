import Testing

@testable import EngineIO

@Suite struct EngineSessionStateTests {
    let start = ContinuousClock.now

    func makeState(_ transport: EngineTransport = .polling) -> EngineSessionState {
        EngineSessionState(transport: transport, pingInterval: .seconds(25), pingTimeout: .seconds(20), now: start)
    }

    @Test func queuedPacketsAreDeliveredToTheNextPoll() {
        var state = makeState()
        #expect(state.enqueue([.message(.text("a"))]) == .none)
        #expect(state.pull(over: .polling) == .deliver([.message(.text("a"))]))
        #expect(state.pull(over: .polling) == .wait)
        #expect(
            state.enqueue([.message(.text("b")), .message(.text("c"))])
                == .resume([.message(.text("b")), .message(.text("c"))])
        )
    }

    @Test func aQueuePastItsBoundClosesTheSessionAsASlowConsumer() {
        var state = EngineSessionState(
            transport: .polling,
            pingInterval: .seconds(25),
            pingTimeout: .seconds(20),
            maxQueuedBytes: 10,
            now: start
        )
        #expect(state.enqueue([.message(.text("12345"))]) == .none)
        #expect(state.pull(over: .polling) == .deliver([.message(.text("12345"))]))
        // A poll drained the queue: its bytes no longer count.
        #expect(state.enqueue([.message(.text("1234567890"))]) == .none)
        #expect(!state.isClosed)
        #expect(state.enqueue([.message(.text("x"))]) == .none)
        #expect(state.closeReason == .slowConsumer)
        // What waited is dropped; the next poll gets the close packet alone.
        #expect(state.pull(over: .polling) == .deliver([.close]))
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
        #expect(state.enqueue([.message(.text("during upgrade"))]) == .none)
        #expect(state.upgradeReceived() == .none)
        #expect(state.transport == .websocket)
        #expect(state.pull(over: .polling) == .reject(.badRequest, closes: false))
        #expect(state.pull(over: .websocket) == .deliver([.message(.text("during upgrade"))]))
    }

    @Test func pollsDuringTheProbeAreAnsweredWithANoop() {
        var state = makeState()
        #expect(state.probeReceived() == .none)
        #expect(state.pull(over: .polling) == .deliver([.noop]))
        _ = state.enqueue([.message(.text("queued"))])
        #expect(state.pull(over: .polling) == .deliver([.message(.text("queued"))]))
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

    @Test func pongKeepsTheSessionAliveAndTheNextPingIsAnIntervalAfterIt() {
        var state = makeState()
        #expect(state.nextHeartbeat == start + .seconds(25))
        _ = state.tick(now: start + .seconds(25))
        #expect(state.nextHeartbeat == start + .seconds(45))
        state.pongReceived(now: start + .seconds(26))
        #expect(state.nextHeartbeat == start + .seconds(51))
        #expect(state.tick(now: start + .seconds(46)) == .none)
        #expect(!state.isClosed)
        #expect(state.pull(over: .polling) == .deliver([.ping("")]))
        #expect(state.pull(over: .polling) == .wait)
        #expect(state.tick(now: start + .seconds(50)) == .none)
        #expect(state.tick(now: start + .seconds(51)) == .resume([.ping("")]))
    }

    @Test func serverCloseDeliversACloseThenFinishes() {
        var state = makeState(.websocket)
        _ = state.enqueue([.message(.text("last"))])
        #expect(state.close(.serverShuttingDown) == .none)
        #expect(state.pull(over: .websocket) == .deliver([.message(.text("last")), .close]))
        #expect(state.pull(over: .websocket) == .finished)
        #expect(state.enqueue([.message(.text("late"))]) == .none)
    }

    @Test func clientCloseSendsNothingMore() {
        var state = makeState(.websocket)
        #expect(state.pull(over: .websocket) == .wait)
        #expect(state.close(.transportClose) == .resume([]))
        #expect(state.pull(over: .websocket) == .finished)
    }
}
