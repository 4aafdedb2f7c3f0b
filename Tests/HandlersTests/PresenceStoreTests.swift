import Foundation
import Testing

@testable import Handlers

/// The presence rows over a real database: which change is announced when a user comes and goes on several
/// nodes, and how a dead node's users are swept exactly once.
@Suite struct PresenceStoreTests {
    let timeout = Duration.seconds(3)

    @Test func onlyTheFirstArrivalAndTheLastDepartureAreChanges() async throws {
        try await Fixture.run { fixture in
            let store = fixture.service.store
            #expect(try await store.presenceBeat(node: "n1") == true)
            #expect(try await store.presenceBeat(node: "n1") == false)
            _ = try await store.presenceBeat(node: "n2")
            #expect(try await store.presence(of: "ada", timeout: timeout) == .init(online: false, lastSeenAt: nil))
            #expect(try await store.presenceArrived(user: "ada", node: "n1", timeout: timeout) != nil)
            #expect(try await store.presenceArrived(user: "ada", node: "n1", timeout: timeout) == nil)
            #expect(try await store.presenceArrived(user: "ada", node: "n2", timeout: timeout) == nil)
            #expect(try await store.presence(of: "ada", timeout: timeout).online)
            #expect(try await store.presenceLeft(user: "ada", node: "n1", timeout: timeout) == nil)
            let leftAt = try await store.presenceLeft(user: "ada", node: "n2", timeout: timeout)
            #expect(leftAt != nil)
            #expect(try await store.presenceLeft(user: "ada", node: "n2", timeout: timeout) == nil)
            #expect(try await store.presence(of: "ada", timeout: timeout) == .init(online: false, lastSeenAt: leftAt))
        }
    }

    @Test func aDeadNodesUsersAreSweptOnceAndOnlyWhenOfflineEverywhere() async throws {
        try await Fixture.run { fixture in
            let store = fixture.service.store
            for node in ["dead", "alive"] { _ = try await store.presenceBeat(node: node) }
            _ = try await store.presenceArrived(user: "ada", node: "dead", timeout: timeout)
            _ = try await store.presenceArrived(user: "grace", node: "dead", timeout: timeout)
            _ = try await store.presenceArrived(user: "grace", node: "alive", timeout: timeout)
            #expect(try await store.sweepPresence(timeout: timeout).isEmpty)
            _ = try await store.client.query(
                "UPDATE presence_nodes SET beat_at = now() - interval '1 minute' WHERE node_id = 'dead'",
                logger: store.logger
            )
            // A node whose beat is late no longer counts, even before the sweep.
            #expect(try await store.presence(of: "ada", timeout: timeout).online == false)
            let swept = try await store.sweepPresence(timeout: timeout)
            #expect(swept.map { $0.0 } == ["ada"], "grace is still online on the live node")
            // Last seen: the later of the dead node's last beat and the user's arrival.
            let seenAt = try #require(swept.first?.1)
            #expect(try await store.presence(of: "ada", timeout: timeout) == .init(online: false, lastSeenAt: seenAt))
            #expect(try await store.sweepPresence(timeout: timeout).isEmpty)
            #expect(try await store.presence(of: "grace", timeout: timeout).online)
            // The swept node comes back: its row is new again, so it knows to record its users once more.
            #expect(try await store.presenceBeat(node: "dead") == true)
            // A node that stops takes its own sessions away.
            #expect(try await store.sweepPresence(timeout: timeout, including: "alive").map { $0.0 } == ["grace"])
        }
    }

    @Test func presenceReachesTheCounterpartsOnly() async throws {
        try await Fixture.run { fixture in
            _ = try await fixture.startConversation()
            let store = fixture.service.store
            #expect(try await store.counterparts(of: Fixture.client) == [Fixture.freelancer])
            #expect(try await store.counterparts(of: Fixture.stranger).isEmpty)
            let tracker = PresenceTracker(
                store: store,
                events: fixture.service.events,
                nodeId: "n",
                timeout: timeout,
                grace: .milliseconds(100),
                logger: TestDatabase.logger
            )
            _ = try await store.presenceBeat(node: tracker.nodeKey)
            tracker.connected(user: Fixture.client)
            tracker.connected(user: Fixture.client)
            try await waitFor { await fixture.sink.events(named: "presence").count == 1 }
            tracker.disconnected(user: Fixture.client)
            try await Task.sleep(for: .milliseconds(400))
            #expect(await fixture.sink.events(named: "presence").count == 1, "one socket is still open")
            tracker.disconnected(user: Fixture.client)
            try await waitFor { await fixture.sink.events(named: "presence").count == 2 }
            let events = await fixture.sink.events(named: "presence")
            #expect(events.map(\.target.rooms) == [["user:\(Fixture.freelancer)"], ["user:\(Fixture.freelancer)"]])
            let payloads = try events.map { try JSONSerialization.jsonObject(with: $0.argument) as? [String: Any] }
            #expect(payloads.map { $0?["online"] as? Bool } == [true, false])
            #expect(payloads.allSatisfy { $0?["userId"] as? String == Fixture.client })
        }
    }

    private func waitFor(_ condition: @Sendable () async -> Bool) async throws {
        for _ in 0..<100 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("condition not met within 5 s")
    }
}
