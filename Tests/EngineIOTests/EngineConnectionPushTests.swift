import Synchronization
import Testing

@testable import EngineIO

/// The push mode of the WebSocket transport: packets reach the sink in the order they were queued, whatever
/// thread queues them, and the sink hears of the end once.
@Suite struct EngineConnectionPushTests {
    final class Recorder: Sendable {
        let deliveries = Mutex<[[EnginePacket]?]>([])
        var packets: [EnginePacket] { deliveries.withLock { $0.compactMap { $0 }.flatMap { $0 } } }
        var ends: Int { deliveries.withLock { $0.filter { $0 == nil }.count } }
    }

    let server = EngineServer.recording().0

    func session() throws -> EngineConnection {
        try server.open(.websocket)
    }

    @Test func packetsQueuedBeforeAndAfterPushingArriveInOrder() throws {
        let session = try session()
        session.send([.text("0")])
        let recorder = Recorder()
        session.push(over: .websocket) { packets in recorder.deliveries.withLock { $0.append(packets) } }
        session.send([.text("1"), .text("2")])
        session.send([.text("3")])
        #expect(recorder.packets == (0...3).map { .message(.text("\($0)")) })
        #expect(recorder.ends == 0)
        session.close(.serverShuttingDown)
        #expect(recorder.packets.last == .close)
        #expect(recorder.ends == 1)
        session.send([.text("late")])
        #expect(recorder.ends == 1)
        #expect(!recorder.packets.contains(.message(.text("late"))))
    }

    @Test func concurrentSendersKeepEachSendersOrder() async throws {
        let session = try session()
        let recorder = Recorder()
        session.push(over: .websocket) { packets in recorder.deliveries.withLock { $0.append(packets) } }
        await withTaskGroup(of: Void.self) { group in
            for sender in 0..<4 {
                group.addTask {
                    for index in 0..<250 { session.send([.text("\(sender):\(index)")]) }
                }
            }
        }
        let packets = recorder.packets
        #expect(packets.count == 1_000)
        for sender in 0..<4 {
            let mine = packets.compactMap { packet -> Int? in
                guard case .message(.text(let text)) = packet, text.hasPrefix("\(sender):") else { return nil }
                return Int(text.dropFirst(2))
            }
            #expect(mine == Array(0..<250))
        }
    }

    @Test func anUpgradedPollingSessionIsPushedOverItsWebSocket() throws {
        let session = try server.open(.polling)
        session.probeReceived()
        session.upgradeReceived()
        let recorder = Recorder()
        session.push(over: .websocket) { packets in recorder.deliveries.withLock { $0.append(packets) } }
        session.send([.text("after upgrade")])
        #expect(recorder.packets == [.message(.text("after upgrade"))])
    }
}
