import SocketIO
import Testing

@testable import Handlers

/// The recovery writes a node batches: each session's changes fold into their net effect, in order.
@Suite struct RecoveryWritesTests {
    let session = RecoverableSession(
        pid: "p",
        socketId: "s",
        namespace: "/messages",
        owner: "ada",
        rooms: ["s"],
        startOffset: "0"
    )

    @Test func aSessionsChangesFoldIntoOneWrite() {
        var writes = RecoveryWrites()
        writes.started(session)
        writes.roomsChanged(pid: "p", rooms: ["s", "user:ada"])
        writes.disconnected(pid: "p")
        var expected = session
        expected.rooms = ["s", "user:ada"]
        #expect(writes.sessions["p"] == .upsert(expected, disconnected: true))
        // Changes to a session written before are updates; a session that ended is deleted whatever came before.
        writes.roomsChanged(pid: "q", rooms: ["q"])
        writes.disconnected(pid: "q")
        #expect(writes.sessions["q"] == .update(rooms: ["q"], disconnected: true))
        writes.ended(pid: "p")
        writes.roomsChanged(pid: "p", rooms: ["late"])
        #expect(writes.sessions["p"] == .delete)
        // A new start after the end (the same pid recovered on this node) replaces it.
        writes.started(session)
        #expect(writes.sessions["p"] == .upsert(session, disconnected: false))
    }

    @Test func aFailedFlushIsPutBackBeforeWhatCameMeanwhile() {
        var writes = RecoveryWrites()
        writes.record(BroadcastMessage(namespace: "/", rooms: [], exceptRooms: [], packet: "1"), offset: "1")
        writes.disconnected(pid: "p")
        let failed = writes.take()
        #expect(writes.isEmpty)
        writes.record(BroadcastMessage(namespace: "/", rooms: [], exceptRooms: [], packet: "2"), offset: "2")
        writes.started(session)
        writes.restore(failed)
        #expect(writes.events.map(\.offset) == ["1", "2"])
        #expect(writes.sessions["p"] == .upsert(session, disconnected: false))
    }

    @Test func unflushedBroadcastsAreBounded() {
        var writes = RecoveryWrites()
        for index in 0..<(RecoveryWrites.maxEvents + 10) {
            writes.record(BroadcastMessage(namespace: "/", rooms: [], exceptRooms: [], packet: ""), offset: "\(index)")
        }
        #expect(writes.events.count == RecoveryWrites.maxEvents)
        #expect(writes.events.first?.offset == "10")
        #expect(writes.droppedEvents == 10)
    }
}
